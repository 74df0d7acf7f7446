"""The check every test's HTML goes through: our own markup shown as text fails the test,
people's input shown as typed does not."""

import pytest

from tests.html import assert_page_is_sound


def page(body: str) -> str:
    return ("<!DOCTYPE html><html lang=en><head><title>Page</title></head>"
            f"<body>{body}</body></html>")


@pytest.mark.parametrize("body", [
    '<table><tr><td>&lt;a class="govuk-link" href="/awards/1"&gt;View the award&lt;/a&gt;</td>'
    "</tr></table>",
    "<p>&lt;a class=&#34;govuk-link&#34; href=&#34;/awards/1&#34;&gt;View</p>",
    "<dl><dt>Sent</dt><dd>Good work&lt;br&gt;Approved by Ann</dd></dl>",
    '<div>&lt;p class="govuk-body"&gt;Queried</div>',
    "<p>Make the award offer&lt;/span&gt;</p>",
])
def test_a_page_showing_our_markup_as_text_fails(body):
    with pytest.raises(AssertionError, match="shows markup as text"):
        assert_page_is_sound(page(body))


@pytest.mark.parametrize("body", [
    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    "<p>Bea &lt;b&gt;Bold&lt;/b&gt; &amp; a café</p>",
    '<p>&lt;img src=x onerror=alert(1)&gt;</p>',
    # what someone typed, shown back in the box they typed it in
    '<textarea name=note>&lt;a class="govuk-link"&gt;&lt;/a&gt;</textarea>',
    '<p><a class="govuk-link" href="/awards/1">View the award</a><br></p>',
])
def test_a_page_showing_peoples_input_as_typed_passes(body):
    assert_page_is_sound(page(body))
