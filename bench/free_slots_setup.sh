# Sourced by bench/run.sh before `free_slots`: the comparison needs OCA's
# resource_booking (18.0) beside gema_sop. It comes from PyPI as wheels,
# unpacked into an addons folder outside the checkout and added to the
# addons path of this benchmark's database only: installed into the shared
# venv, the odoo-addon-* wheels would drag in (and shadow) a second Odoo.
# Its one Python dependency, cssselect, goes to a folder beside it
# (PYTHONPATH), for the same reason. Nothing fetched is committed.
OCA_ADDONS="$GEMA_CACHE/oca-addons"
oca_wheels=(
    "odoo-addon-resource_booking==18.0.1.0.14.5"
    "odoo-addon-web_calendar_slot_duration==18.0.1.0.0.2"
)
if [ ! -f "$OCA_ADDONS/.complete" ]; then
    rm -rf "$OCA_ADDONS"
    oca_tmp=$(mktemp -d)
    "$VENV/bin/pip" download --quiet --no-deps -d "$oca_tmp" "${oca_wheels[@]}"
    for wheel in "$oca_tmp"/*.whl; do
        "$VENV/bin/python" -m zipfile -e "$wheel" "$oca_tmp/unpacked"
    done
    mkdir -p "$OCA_ADDONS"
    cp -r "$oca_tmp"/unpacked/odoo/addons/* "$OCA_ADDONS/"
    "$VENV/bin/pip" install --quiet --no-deps --target "$OCA_ADDONS/.python" "cssselect==1.2.0"
    rm -rf "$oca_tmp"
    touch "$OCA_ADDONS/.complete"
fi
export PYTHONPATH="$OCA_ADDONS/.python${PYTHONPATH:+:$PYTHONPATH}"
bench_conf="$PROJECT/.local/odoo-bench-$name.conf"
sed "s|^addons_path = |addons_path = $OCA_ADDONS,|" "$ODOO_CONF" > "$bench_conf"
ODOO_CONF=$bench_conf
db=${GEMA_BENCH_DB:-gema_bench_$name}
modules=gema_sop,resource_booking
