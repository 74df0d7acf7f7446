"""Forms for the documents section of an application. Size and content are checked by the
service (portal.documents.services), not here: a form can only trust what the browser says."""

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField
from wtforms.validators import AnyOf, InputRequired

from forms.base import PortalForm


class UploadDocumentForm(PortalForm):
    """One file for one of the round's required documents, chosen by radios: clearer on a phone
    than a file input under every requirement, and one error summary serves the whole form."""

    requirement = RadioField(
        "Which document are you uploading?",
        choices=[],
        validate_choice=False,  # the service checks it against the round's list
        widget=GovRadioInput(),
        validators=[InputRequired("Select which document you are uploading")],
    )
    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        validators=[FileRequired("Select a file")],
    )
    # Named apart from the other form's button: both are on one page, and ids must be unique.
    upload = SubmitField("Upload file", widget=GovSubmitInput())

    def __init__(self, requirements: list[str], max_mb: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requirement.choices = [SelectChoice(name, name) for name in requirements]
        self.file.description = (f"A PDF, Word document (DOCX), Excel spreadsheet (XLSX), "
                                 f"OpenDocument text (ODT), JPG or PNG, smaller than {max_mb}MB")


CHOOSE_COMPLETED = "Select whether you have completed this section"


class CompleteSectionForm(PortalForm):
    completed = RadioField(
        "Have you completed this section?",
        choices=[SelectChoice("yes", "Yes, I’ve completed this section"),
                 SelectChoice("no", "No, I’ll come back to it later")],
        validate_choice=False,  # AnyOf below gives the GOV.UK message instead of WTForms' own
        widget=GovRadioInput(),
        validators=[InputRequired(CHOOSE_COMPLETED), AnyOf(["yes", "no"], CHOOSE_COMPLETED)],
    )
    save = SubmitField("Save", widget=GovSubmitInput())
