"""Forms for publishing open data: approving a year's publication, and withholding a grant."""

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from forms.base import PortalForm
from portal.opendata.grants import REASON_LIMIT


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PublishForm(PortalForm):
    # The fingerprint of the grants the officer reviewed: publishing refuses if they changed.
    digest = HiddenField()
    submit = SubmitField("Publish these grants", widget=GovSubmitInput())


class WithholdForm(PortalForm):
    reason = TextAreaField(
        "Why must this grant not be published?", widget=GovTextArea(), filters=[_strip],
        description="For example, naming the group would show where people at risk meet. "
                    "Officers see the reason; the public does not.",
        validators=[DataRequired("Enter why this grant must not be published"),
                    Length(max=REASON_LIMIT,
                           message=f"The reason must be {REASON_LIMIT:,} characters or fewer")])
    submit = SubmitField("Withhold the grant", widget=GovSubmitInput())
