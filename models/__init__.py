"""SQLAlchemy models, one module per area. Importing this package registers them all."""

from models.accounts import AccountToken, SignInSession, StaffInvitation, User, UserRole
from models.applications import (
    Application,
    CostLine,
    OtherFunding,
    PublicFunding,
    ReferenceSequence,
    StatusChange,
)
from models.assessment import ClarificationRequest, DueDiligenceCheck, ExportJob
from models.audit import AuditEvent
from models.awards import (
    Allocation,
    Award,
    AwardLetter,
    AwardVersion,
    Instalment,
    LetterBatch,
    MonitoringReturn,
    Payment,
    Recovery,
    ReturnEvidence,
)
from models.base import db
from models.contracts import (
    Contract,
    ContractDocument,
    ContractFunding,
    ContractInstalment,
    ContractPayment,
    ContractReturn,
    ContractVersion,
    ContractYear,
    Kpi,
    KpiTarget,
    Programme,
    ProgrammeYear,
    ReturnValue,
    Scenario,
)
from models.decisions import Decision, Recommendation
from models.documents import Document
from models.files import StoredFile
from models.funding import FundingPartner, FundingPot, LedgerEntry, SchemePotSpend
from models.opendata import Publication, WithheldGrant
from models.organisations import Membership, Organisation, OrganisationInvitation
from models.places import Locality, Ward
from models.reminders import Reminder
from models.schemes import Round, Scheme, ScoringCriterion, Theme
from models.scoring import Assignment, CriterionScore, ModeratedScore, Scoresheet

__all__ = [
    "AccountToken",
    "Allocation",
    "Application",
    "Assignment",
    "AuditEvent",
    "Award",
    "AwardLetter",
    "AwardVersion",
    "ClarificationRequest",
    "Contract",
    "ContractDocument",
    "ContractFunding",
    "ContractInstalment",
    "ContractPayment",
    "ContractReturn",
    "ContractVersion",
    "ContractYear",
    "CostLine",
    "CriterionScore",
    "Decision",
    "Document",
    "DueDiligenceCheck",
    "ExportJob",
    "FundingPartner",
    "FundingPot",
    "Instalment",
    "Kpi",
    "KpiTarget",
    "LedgerEntry",
    "LetterBatch",
    "Locality",
    "Membership",
    "ModeratedScore",
    "MonitoringReturn",
    "Organisation",
    "OrganisationInvitation",
    "OtherFunding",
    "Payment",
    "Programme",
    "ProgrammeYear",
    "PublicFunding",
    "Publication",
    "Recommendation",
    "Recovery",
    "ReferenceSequence",
    "Reminder",
    "ReturnEvidence",
    "ReturnValue",
    "Round",
    "Scenario",
    "Scheme",
    "SchemePotSpend",
    "Scoresheet",
    "ScoringCriterion",
    "SignInSession",
    "StaffInvitation",
    "StatusChange",
    "StoredFile",
    "Theme",
    "User",
    "UserRole",
    "Ward",
    "WithheldGrant",
    "db",
]
