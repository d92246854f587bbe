# Sourced by bench/run.sh before `free_slots`: the comparison needs OCA's
# resource_booking (18.0) beside gema_sop, from PyPI (bench/oca_addons.sh).
OCA_ADDONS="$GEMA_CACHE/oca-addons"
oca_wheels=(
    "odoo-addon-resource_booking==18.0.1.0.14.5"
    "odoo-addon-web_calendar_slot_duration==18.0.1.0.0.2"
)
oca_python=("cssselect==1.2.0")
source "$PROJECT/bench/oca_addons.sh"
modules=gema_sop,resource_booking
