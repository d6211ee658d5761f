"""The data model, one module per idea; everything is importable from here."""

from .api import ApiCall, ApiClient
from .banners import Banner, SatisfactionSettings
from .campaigns import (
    Aggregation,
    Campaign,
    CampaignStatus,
    DossierCodeCheck,
    EmailPolicy,
    Round,
    SurveyLayout,
)
from .dossiers import (
    CallOutcome,
    Dossier,
    EntryCorrection,
    KioskKey,
    Reverification,
    StaffEntry,
)
from .integrity import IntegrityCheck, ResponseSeal, SealChain
from .moderation import CommentIsFinal, ModerationSettings
from .pages import ResultsPage, SurveyPage
from .questionnaires import Factor, Question, Questionnaire, QuestionnaireKind
from .reports import (
    AnswerTally,
    ChannelDayAnswerTally,
    ChannelMonthAnswerTally,
    ChannelSectorDayAnswerTally,
    ChannelSectorDayResponseTally,
    DossierCount,
    ExportJob,
    OfficerAllChannelsAnswerTally,
    OfficerAllChannelsResponseTally,
    OfficerAnswerTally,
    OfficerDayAnswerTally,
    OfficerDayResponseTally,
    OfficerResponseTally,
    OfficerWeekAnswerTally,
    OfficerWeekResponseTally,
    PendingTally,
    ProcedureAllChannelsAnswerTally,
    ProcedureAllChannelsResponseTally,
    ProcedureAnswerTally,
    ProcedureDayAnswerTally,
    ProcedureDayResponseTally,
    ProcedureOfficerAnswerTally,
    ProcedureOfficerResponseTally,
    ProcedureResponseTally,
    ProcedureWeekAnswerTally,
    ProcedureWeekResponseTally,
    ResponseTally,
)
from .responses import Answer, Channel, Comment, ModerationState, Response
from .retention import PurgeRun
from .scopes import UnitScope
from .units import Officer, Procedure, Sector, Unit, UnitKind

__all__ = [
    "Aggregation", "Answer", "Banner", "Campaign", "CampaignStatus", "Channel", "Comment",
    "DossierCodeCheck", "EmailPolicy",
    "Factor", "ModerationState", "Officer", "Procedure", "Question", "Questionnaire",
    "QuestionnaireKind", "Response", "ResultsPage", "Round", "SatisfactionSettings", "Sector",
    "SurveyLayout", "SurveyPage",
    "Unit", "UnitKind",
    "CallOutcome", "Dossier", "EntryCorrection", "KioskKey", "Reverification", "StaffEntry",
    # reports
    "AnswerTally", "DossierCount", "ExportJob", "PendingTally", "ResponseTally",
    "ProcedureResponseTally",
    "ProcedureAnswerTally", "OfficerResponseTally", "OfficerAnswerTally",
    "ProcedureDayResponseTally", "ProcedureDayAnswerTally", "OfficerDayResponseTally",
    "OfficerDayAnswerTally", "ChannelDayAnswerTally", "ProcedureOfficerResponseTally",
    "ProcedureOfficerAnswerTally", "ProcedureAllChannelsResponseTally",
    "ProcedureAllChannelsAnswerTally", "OfficerAllChannelsResponseTally",
    "OfficerAllChannelsAnswerTally", "ChannelMonthAnswerTally",
    "ChannelSectorDayResponseTally", "ChannelSectorDayAnswerTally",
    "ProcedureWeekResponseTally", "ProcedureWeekAnswerTally", "OfficerWeekResponseTally",
    "OfficerWeekAnswerTally",
]

# Comment moderation
__all__ += ["CommentIsFinal", "ModerationSettings"]

# Unit scopes
__all__ += ["UnitScope"]

# Tamper evidence
__all__ += ["IntegrityCheck", "ResponseSeal", "SealChain"]

# Retention of personal data
__all__ += ["PurgeRun"]

# The dossier API (one-stop software)
__all__ += ["ApiCall", "ApiClient"]
