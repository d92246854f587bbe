#!/usr/bin/env bash
# The addon as OCA ships it: build the wheel odoo-addon-gema_sop with OCA's
# whool (gema_sop/pyproject.toml; version and dependencies from the
# manifest), pip-install it into a scratch virtual environment that sees the
# cached Odoo and nothing of this checkout, install the module from there
# into a fresh database and run a few of its tests with Odoo's own runner.
source "$(dirname "$0")/env.sh"
cd "$PROJECT"
db=${GEMA_WHEEL_DB:-gema_wheel}
work=$(mktemp -d)
trap 'rm -rf "$work"; dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT

echo "== the addon as a wheel"
# whool and manifestoo-core come from PyPI in pip's isolated build.
"$VENV/bin/pip" wheel -q --no-deps --disable-pip-version-check -w "$work/dist" ./gema_sop
wheel=$(ls "$work"/dist/odoo_addon_gema_sop-*.whl)
echo "built $(basename "$wheel")"

# A plain Odoo 18 environment: a new venv whose only extra site directory is
# the cached Odoo's (its packages and Odoo itself), never this checkout.
python3 -m venv "$work/venv"
site=$("$VENV/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
scratch_site=$("$work/venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
echo "import site; site.addsitedir('$site')" > "$scratch_site/gema_cached_odoo.pth"
"$work/venv/bin/pip" install -q --disable-pip-version-check "$wheel"
located=$("$work/venv/bin/python" -c "import odoo.addons.gema_sop as m; print(m.__file__)")
case "$located" in
    "$scratch_site"/*) echo "installed: $located" ;;
    *) echo "gema_sop: the wheel's addon is not the one Python finds ($located)"; exit 1 ;;
esac

# Odoo's own addons only: the module must come from the wheel.
addons_path="$ODOO_SRC/odoo/addons"
[ -d "$ODOO_SRC/addons" ] && addons_path="$addons_path,$ODOO_SRC/addons"
conf="$work/odoo.conf"
sed -e "s#^addons_path = .*#addons_path = $addons_path#" \
    -e "s#^data_dir = .*#data_dir = $work/data#" "$ODOO_CONF" > "$conf"
dropdb --if-exists "$db"
log="$PROJECT/.local/logs/wheel-install.log"
mkdir -p "$(dirname "$log")"
"$work/venv/bin/python" "${ODOO[1]}" -c "$conf" -d "$db" -i gema_sop \
    --without-demo=all --stop-after-init --no-http --log-level=test \
    --test-tags=/gema_sop:TestVehicle,/gema_sop:TestRoles > "$log" 2>&1 || status=$?
problems=$(grep -E " (ERROR|CRITICAL) |FAIL:" "$log" || true)
ran=$(grep -cE "Starting (TestVehicle|TestRoles)\.test_" "$log" || true)
if [ -n "${status:-}" ] || [ -n "$problems" ] || [ "$ran" -lt 5 ]; then
    echo "gema_sop: installing or testing the wheel failed (see $log):"
    echo "$problems"
    exit 1
fi
echo "wheel: installed from $(basename "$wheel") and $ran of its tests passed"
