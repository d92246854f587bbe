# Sourced by bench/run.sh before `booking_create`: the anchor is OCA's
# helpdesk_mgmt_sla (18.0) ticket create, from PyPI (bench/oca_addons.sh).
OCA_ADDONS="$GEMA_CACHE/oca-addons-helpdesk"
oca_wheels=(
    "odoo-addon-helpdesk_mgmt==18.0.1.19.5"
    "odoo-addon-helpdesk_mgmt_sla==18.0.2.1.1"
)
oca_python=()
source "$PROJECT/bench/oca_addons.sh"
modules=gema_sop,helpdesk_mgmt_sla
