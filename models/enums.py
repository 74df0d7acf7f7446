"""Enumerations used across the models. Values are stored as their lower-case strings."""

import enum


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    ASSESSOR = "assessor"
    GRANTS_OFFICER = "grants_officer"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"
    # Staff of a funding partner (an ICB, Public Health): read-only, their own money only.
    FUNDING_PARTNER = "funding_partner"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


STAFF_ROLES = (Role.ASSESSOR, Role.GRANTS_OFFICER, Role.COMMISSIONER, Role.ADMIN)


class TokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose, not a password)


class OrganisationRole(enum.StrEnum):
    ADMIN = "admin"
    MEMBER = "member"

    @property
    def label(self) -> str:
        return "Organisation admin" if self is OrganisationRole.ADMIN else "Member"


class LegalForm(enum.StrEnum):
    CHARITY = "charity"
    CIO = "cio"
    CIC = "cic"
    COMPANY_LIMITED_BY_GUARANTEE = "company_limited_by_guarantee"
    COMMUNITY_BENEFIT_SOCIETY = "community_benefit_society"
    CONSTITUTED_GROUP = "constituted_group"
    FAITH_GROUP = "faith_group"
    TOWN_OR_PARISH_COUNCIL = "town_or_parish_council"

    @property
    def label(self) -> str:
        return LEGAL_FORM_LABELS[self]


LEGAL_FORM_LABELS = {
    LegalForm.CHARITY: "Registered charity (unincorporated or trust)",
    LegalForm.CIO: "Charitable incorporated organisation (CIO)",
    LegalForm.CIC: "Community interest company (CIC)",
    LegalForm.COMPANY_LIMITED_BY_GUARANTEE: "Company limited by guarantee",
    LegalForm.COMMUNITY_BENEFIT_SOCIETY: "Community benefit society",
    LegalForm.CONSTITUTED_GROUP: "Constituted community group",
    LegalForm.FAITH_GROUP: "Faith group",
    LegalForm.TOWN_OR_PARISH_COUNCIL: "Town or parish council",
}


class RoundStatus(enum.StrEnum):
    """What an officer has done with a round. Whether a published round is open or closed
    follows from its times (see Round.state), so no job has to close it."""

    DRAFT = "draft"
    PUBLISHED = "published"
    DECIDED = "decided"


class RoundState(enum.StrEnum):
    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    DECIDED = "decided"

    @property
    def label(self) -> str:
        return "Opening soon" if self is RoundState.UPCOMING else self.value.capitalize()

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour the state is shown in."""
        return {"draft": "govuk-tag--grey", "upcoming": "govuk-tag--light-blue",
                "open": "govuk-tag--green", "closed": "govuk-tag--orange",
                "decided": "govuk-tag--purple"}[self.value]


class ApplicationStatus(enum.StrEnum):
    """Where an application is. The allowed moves between them are declared once, in
    portal.applications.workflow."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CLARIFICATION_REQUESTED = "clarification_requested"
    INELIGIBLE = "ineligible"
    UNDER_ASSESSMENT = "under_assessment"
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return APPLICATION_STATUS_LABELS.get(self, self.value.capitalize())

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour, for applicants and officers alike: grey before it is sent,
        blues while it is with the council, yellow while it waits on the applicant, green for
        approved, red for an ending that is not, purple for a deferral."""
        return {"draft": "govuk-tag--grey", "submitted": "govuk-tag--blue",
                "clarification_requested": "govuk-tag--yellow",
                "under_assessment": "govuk-tag--light-blue", "ineligible": "govuk-tag--red",
                "approved": "govuk-tag--green", "rejected": "govuk-tag--red",
                "deferred": "govuk-tag--purple", "withdrawn": "govuk-tag--orange"}[self.value]


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.CLARIFICATION_REQUESTED: "Clarification requested",
    ApplicationStatus.UNDER_ASSESSMENT: "Being assessed",
    ApplicationStatus.INELIGIBLE: "Not eligible",
    ApplicationStatus.DEFERRED: "Decision deferred",
}


class SectionStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return {"not_started": "Not yet started", "in_progress": "In progress",
                "completed": "Completed"}[self.value]


class FundingStatus(enum.StrEnum):
    SECURED = "secured"
    APPLIED_FOR = "applied_for"

    @property
    def label(self) -> str:
        return "Secured" if self is FundingStatus.SECURED else "Applied for"


class ScoreScale(enum.StrEnum):
    """How a criterion is scored. Pass/fail is scored 0 (fail) or 1 (pass)."""

    ZERO_TO_THREE = "0-3"
    ONE_TO_FIVE = "1-5"
    PASS_FAIL = "pass_fail"  # noqa: S105 (a scale, not a password)

    @property
    def lowest(self) -> int:
        return 1 if self is ScoreScale.ONE_TO_FIVE else 0

    @property
    def highest(self) -> int:
        return {"0-3": 3, "1-5": 5, "pass_fail": 1}[self.value]

    @property
    def label(self) -> str:
        if self is ScoreScale.PASS_FAIL:
            return "Pass or fail"
        return f"{self.lowest} to {self.highest}"


class ShortfallRule(enum.StrEnum):
    """What "recommend within budget" does with an application that no longer fits."""

    SKIP = "skip"
    PARTIAL = "partial"

    @property
    def label(self) -> str:
        return ("Skip it and go on down the ranking" if self is ShortfallRule.SKIP
                else "Offer what is left as a partial award")


class DueDiligenceOutcome(enum.StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    CLARIFICATION_REQUESTED = "clarification_requested"

    @property
    def label(self) -> str:
        return {"eligible": "Eligible", "ineligible": "Not eligible",
                "clarification_requested": "Clarification requested"}[self.value]


class ConflictDeclaration(enum.StrEnum):
    NO_CONFLICT = "no_conflict"
    CONFLICT = "conflict"

    @property
    def label(self) -> str:
        return "No conflict" if self is ConflictDeclaration.NO_CONFLICT else "Conflict declared"


class ScoresheetStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class DecisionOutcome(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"

    @property
    def label(self) -> str:
        return {"approved": "Approve", "rejected": "Reject", "deferred": "Defer"}[self.value]


class DecisionAuthority(enum.StrEnum):
    """Who made a decision, lowest first. A key decision needs Cabinet."""

    DELEGATED_OFFICER = "delegated_officer"
    PANEL = "panel"
    CABINET = "cabinet"

    @property
    def label(self) -> str:
        return {"delegated_officer": "Delegated officer decision", "panel": "Grants panel",
                "cabinet": "Cabinet"}[self.value]


class RejectionReason(enum.StrEnum):
    BELOW_PASS_MARK = "below_pass_mark"  # noqa: S105 (a reason, not a password)
    CRITERION_NOT_MET = "criterion_not_met"
    BUDGET_EXHAUSTED = "budget_exhausted"
    NEED_NOT_SHOWN = "need_not_shown"
    NOT_VALUE_FOR_MONEY = "not_value_for_money"
    DELIVERY_CONCERNS = "delivery_concerns"
    OUTSIDE_PRIORITIES = "outside_priorities"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REJECTION_REASON_LABELS[self]


REJECTION_REASON_LABELS = {
    RejectionReason.BELOW_PASS_MARK: "The score was below the round's pass mark",
    RejectionReason.CRITERION_NOT_MET: "A criterion's minimum score was not met",
    RejectionReason.BUDGET_EXHAUSTED: "Higher-scoring applications used the round's budget",
    RejectionReason.NEED_NOT_SHOWN: "The need for the project was not shown",
    RejectionReason.NOT_VALUE_FOR_MONEY: "The project was not good value for money",
    RejectionReason.DELIVERY_CONCERNS: "Concerns about the group's ability to deliver",
    RejectionReason.OUTSIDE_PRIORITIES: "The project is outside the round's priorities",
    RejectionReason.OTHER: "Another reason (explained below)",
}


class FundingSource(enum.StrEnum):
    """Core: the council's own base budget. External: a partner's money, with its funder named."""

    CORE = "core"
    EXTERNAL = "external"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PotStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return "Open for awards" if self is PotStatus.OPEN else "Closed"


class LedgerKind(enum.StrEnum):
    """What a ledger entry does to its pot. Budget and transfer entries carry a signed amount
    (a cut is negative); the others are always positive and their kind says the direction."""

    BUDGET = "budget"
    TRANSFER = "transfer"
    COMMITMENT = "commitment"
    RELEASE = "release"
    PAYMENT = "payment"
    CLAWBACK = "clawback"

    @property
    def label(self) -> str:
        return {"budget": "Budget change", "transfer": "Transfer", "commitment": "Commitment",
                "release": "Release", "payment": "Payment", "clawback": "Clawback"}[self.value]


class SplitPolicy(enum.StrEnum):
    """How an award's amount is first proposed across the pots that may fund it."""

    EXTERNAL_FIRST = "external_first"
    CORE_FIRST = "core_first"
    PRO_RATA = "pro_rata"

    @property
    def label(self) -> str:
        return {"external_first": "External funding first, then core",
                "core_first": "Core funding first, then external",
                "pro_rata": "In proportion to what each pot has available"}[self.value]


class AwardStatus(enum.StrEnum):
    """An award's life: offered (its money committed in the ledger), then accepted, declined,
    expired or withdrawn by the council; an accepted award is closed after its end-of-grant
    report."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"offered": "Offered", "accepted": "Accepted", "declined": "Declined",
                "expired": "Offer expired", "withdrawn": "Withdrawn",
                "closed": "Closed"}[self.value]


class GrantReturnStatus(enum.StrEnum):
    """A grant monitoring return: being written by the organisation (its answers may be saved
    before it is sent), sent, then accepted or queried by a grants officer; the organisation
    answers a query by changing the return and sending it again."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    QUERIED = "queried"

    @property
    def label(self) -> str:
        return {"draft": "Not sent", "submitted": "Sent", "accepted": "Accepted",
                "queried": "Queried"}[self.value]

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour the status is shown in."""
        return {"draft": "govuk-tag--grey", "submitted": "govuk-tag--turquoise",
                "accepted": "govuk-tag--green", "queried": "govuk-tag--orange"}[self.value]


class PaymentTiming(enum.StrEnum):
    """Whether an award's instalments are paid before the work they fund or after it."""

    IN_ADVANCE = "in_advance"
    IN_ARREARS = "in_arrears"

    @property
    def label(self) -> str:
        return {"in_advance": "In advance", "in_arrears": "In arrears"}[self.value]


class AwardChange(enum.StrEnum):
    """What made a new version of an award's terms: the offer itself, a variation, or its
    closure (the final figures)."""

    OFFER = "offer"
    VARIATION = "variation"
    CLOSURE = "closure"

    @property
    def label(self) -> str:
        return {"offer": "Offer", "variation": "Variation", "closure": "Closure"}[self.value]


class RecoveryKind(enum.StrEnum):
    """Money coming back from an organisation: demanded by the council (clawback) or returned
    by the organisation unasked (repayment, for example an underspend)."""

    CLAWBACK = "clawback"
    REPAYMENT = "repayment"

    @property
    def label(self) -> str:
        return {"clawback": "Clawback", "repayment": "Repayment"}[self.value]


class JobStatus(enum.StrEnum):
    """A background job's progress, as its page shows it."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "Waiting to start", "running": "In progress", "done": "Done",
                "failed": "Failed"}[self.value]


class ContractLot(enum.StrEnum):
    """The kind of service a Community Anchor contract buys."""

    LEAD_LOCALITY_ANCHOR = "lead_locality_anchor"
    LOCAL_ANCHOR = "local_anchor"
    VCS_INFRASTRUCTURE = "vcs_infrastructure"
    JOINT = "joint"

    @property
    def label(self) -> str:
        return {"lead_locality_anchor": "Lead locality anchor", "local_anchor": "Local anchor",
                "vcs_infrastructure": "VCS infrastructure", "joint": "Joint contract"}[self.value]


class ContractStatus(enum.StrEnum):
    """A contract's life: drafted, then active, then ended (at its end date) or terminated
    early."""

    DRAFT = "draft"
    ACTIVE = "active"
    ENDED = "ended"
    TERMINATED = "terminated"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "active": "Active", "ended": "Ended",
                "terminated": "Terminated"}[self.value]

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour the status is shown in."""
        return {"draft": "govuk-tag--grey", "active": "govuk-tag--green",
                "ended": "govuk-tag--blue", "terminated": "govuk-tag--red"}[self.value]


class ReturnStatus(enum.StrEnum):
    """A quarterly monitoring return: submitted by the provider, then accepted or queried by
    the commissioner (a queried return is submitted again)."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    QUERIED = "queried"

    @property
    def label(self) -> str:
        return {"submitted": "Submitted", "accepted": "Accepted", "queried": "Queried"}[self.value]


class Rag(enum.StrEnum):
    """A red, amber or green self-assessment."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return {"red": "Red", "amber": "Amber", "green": "Green"}[self.value]


class Pathway(enum.StrEnum):
    """An outcome the anchors are held to account for across the district: a KPI may count
    towards one, and the pathway roll-up adds up its KPIs over every anchor."""

    FINANCIAL_HARDSHIP = "financial_hardship"
    INTO_WORK = "into_work"
    SOCIAL_ISOLATION = "social_isolation"

    @property
    def label(self) -> str:
        return {"financial_hardship": "Tackling financial hardship",
                "into_work": "Helping people into work",
                "social_isolation": "Reducing social isolation"}[self.value]


class ReminderKind(enum.StrEnum):
    """What the daily run reminds people of."""

    OFFER_EXPIRING = "offer_expiring"
    GRANT_RETURN_DUE = "grant_return_due"
    GRANT_RETURN_OVERDUE = "grant_return_overdue"
    CONTRACT_RETURN_DUE = "contract_return_due"
    CONTRACT_RETURN_OVERDUE = "contract_return_overdue"
    CLARIFICATION_UNANSWERED = "clarification_unanswered"

    @property
    def label(self) -> str:
        return {"offer_expiring": "Offer expiring", "grant_return_due": "Grant return due",
                "grant_return_overdue": "Grant return overdue",
                "contract_return_due": "Contract return due",
                "contract_return_overdue": "Contract return overdue",
                "clarification_unanswered": "Clarification not answered"}[self.value]

