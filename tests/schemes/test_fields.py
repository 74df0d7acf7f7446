"""The shared time-of-day and pounds fields: what they accept, their messages, what they show."""

from datetime import time

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import InputRequired, Optional

from forms.fields import PoundsField, TimeOfDayField, format_time_of_day, parse_time_of_day
from forms.schemes import WholeNumberField


@pytest.mark.parametrize(("text", "expected"), [
    ("9am", time(9)), ("9:30am", time(9, 30)), ("9.30 p.m.", time(21, 30)),
    ("5:30PM", time(17, 30)), ("12pm", time(12)), ("12am", time(0)), ("12:15am", time(0, 15)),
    ("17:00", time(17)), ("00:00", time(0)), ("9:05", time(9, 5)), ("midday", time(12)),
    ("Midnight", time(0)), (" 9 am ", time(9)),
])
def test_times_people_write_are_understood(text, expected):
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", [
    "9", "13pm", "0am", "24:00", "9:60", "9:5", "nine", "", "9m", "17:00pm", "9:30xm", "１０am"])
def test_ambiguous_or_impossible_times_are_refused(text):
    with pytest.raises(ValueError):
        parse_time_of_day(text)


def test_times_are_shown_as_the_portal_shows_them_and_read_back():
    assert [format_time_of_day(t) for t in (time(0), time(9), time(12), time(17, 5))] == [
        "12:00am", "9:00am", "12:00pm", "5:05pm"]
    every_five_minutes = [time(hour, minute) for hour in range(24) for minute in range(0, 60, 5)]
    assert all(parse_time_of_day(format_time_of_day(t)) == t for t in every_five_minutes)


class AmountsForm(Form):
    budget = PoundsField("Budget", validators=[InputRequired("Enter the budget")])
    income = PoundsField("Maximum annual income", noun="the maximum annual income",
                         example="£250,000", validators=[Optional()])
    fee = PoundsField("Fee", allow_zero=True, validators=[Optional()])
    opens = TimeOfDayField("Opening time", validators=[InputRequired("Enter the opening time")])
    months = WholeNumberField("Months", noun="the number of months", example="12",
                              validators=[Optional()])


def submit(**answers) -> AmountsForm:
    form = AmountsForm(MultiDict({"budget": "£5,000", "opens": "9am", **answers}))
    form.validate()
    return form


@pytest.mark.parametrize(("typed", "pence"), [
    ("£1,250.50", 125_050), ("1250.5", 125_050), (" £ 5,000 ", 500_000), ("£0.01", 1),
    ("1,000,000", 100_000_000)])
def test_pounds_are_read_as_pence(typed, pence):
    form = submit(budget=typed)
    assert form.errors == {}
    assert form.budget.data == pence


@pytest.mark.parametrize(("answers", "errors"), [
    ({"budget": ""}, {"budget": ["Enter the budget"]}),
    ({"budget": "5,00"}, {"budget": ["Enter the budget in pounds, like £5,000"]}),
    ({"budget": "£12.345"}, {"budget": ["Enter the budget in pounds, like £5,000"]}),
    ({"budget": "£5k"}, {"budget": ["Enter the budget in pounds, like £5,000"]}),
    ({"budget": "-5"}, {"budget": ["The budget must be more than £0"]}),
    ({"budget": "£-5"}, {"budget": ["The budget must be more than £0"]}),
    ({"budget": "£0.00"}, {"budget": ["The budget must be more than £0"]}),
    ({"income": "lots"}, {"income": ["Enter the maximum annual income in pounds, like £250,000"]}),
    ({"income": "0"}, {"income": ["The maximum annual income must be more than £0"]}),
    ({"opens": ""}, {"opens": ["Enter the opening time"]}),
    ({"opens": "25:00"}, {"opens": ["Opening time must be a real time, like 9am or 5:30pm"]}),
    ({"months": "１２"}, {"months": ["The number of months must be a whole number, like 12"]}),
    ({"months": "1.5"}, {"months": ["The number of months must be a whole number, like 12"]}),
])
def test_bad_amounts_times_and_numbers_get_gov_uk_messages(answers, errors):
    assert submit(**answers).errors == errors


def test_optional_fields_may_be_empty_and_zero_can_be_allowed():
    form = submit(income="", fee="£0", months="")
    assert form.errors == {}
    assert (form.income.data, form.fee.data, form.months.data) == (None, 0, None)


def test_stored_values_are_shown_as_pounds_and_typed_ones_as_typed():
    stored = AmountsForm(data={"budget": 500_000, "income": 125_050, "opens": time(17, 30),
                               "months": 12})
    assert [stored[name]._value() for name in ("budget", "income", "fee", "opens", "months")] == [
        "5,000", "1,250.50", "", "5:30pm", "12"]
    typed = submit(budget="£5k", opens="9.30 a.m.", income="\x00£1,000")
    assert (typed.budget._value(), typed.opens._value(), typed.income._value()) == (
        "£5k", "9.30 a.m.", "£1,000")
    assert typed.income.data == 100_000
