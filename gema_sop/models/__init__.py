from . import res_company
from . import res_config_settings
from . import gema_violation
from . import gema_sla_policy
from . import gema_sla_status
from . import gema_sla_mixin
from . import gema_sop_document
