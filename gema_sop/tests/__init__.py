from . import test_i18n
from . import test_roles
from . import test_sla_engine
from . import test_sop_document
from . import test_violation
from . import test_settings
from . import test_messaging
