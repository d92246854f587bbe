# Sourced by a bench/<name>_setup.sh that compares gema_sop with OCA addons:
# the addons come from PyPI as wheels ($oca_wheels), unpacked into an addons
# folder outside the checkout ($OCA_ADDONS) and added to the addons path of
# this benchmark's database only: installed into the shared venv, the
# odoo-addon-* wheels would drag in (and shadow) a second Odoo. Their pure
# Python dependencies ($oca_python, may be empty) go to a folder beside
# them (PYTHONPATH), for the same reason. Nothing fetched is committed.
if [ ! -f "$OCA_ADDONS/.complete" ]; then
    rm -rf "$OCA_ADDONS"
    oca_tmp=$(mktemp -d)
    "$VENV/bin/pip" download --quiet --no-deps -d "$oca_tmp" "${oca_wheels[@]}"
    for wheel in "$oca_tmp"/*.whl; do
        "$VENV/bin/python" -m zipfile -e "$wheel" "$oca_tmp/unpacked"
    done
    mkdir -p "$OCA_ADDONS/.python"
    cp -r "$oca_tmp"/unpacked/odoo/addons/* "$OCA_ADDONS/"
    if [ ${#oca_python[@]} -gt 0 ]; then
        "$VENV/bin/pip" install --quiet --no-deps --target "$OCA_ADDONS/.python" "${oca_python[@]}"
    fi
    rm -rf "$oca_tmp"
    touch "$OCA_ADDONS/.complete"
fi
export PYTHONPATH="$OCA_ADDONS/.python${PYTHONPATH:+:$PYTHONPATH}"
bench_conf="$PROJECT/.local/odoo-bench-$name.conf"
sed "s|^addons_path = |addons_path = $OCA_ADDONS,|" "$ODOO_CONF" > "$bench_conf"
ODOO_CONF=$bench_conf
db=${GEMA_BENCH_DB:-gema_bench_$name}
