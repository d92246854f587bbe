from . import service_job
