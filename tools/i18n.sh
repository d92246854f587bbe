#!/usr/bin/env bash
# `make i18n`: refresh gema_sop/i18n/gema_sop.pot and id.po from the code.
# Installs the addon with Indonesian loaded (so the existing id.po is read)
# into a scratch database and exports both files; new terms arrive in id.po
# with an empty translation, which test_i18n reports until it is filled in.
source "$(dirname "$0")/env.sh"
cd "$PROJECT"
db=${GEMA_I18N_DB:-gema_i18n}
dropdb --if-exists "$db"
"${ODOO[@]}" -c "$ODOO_CONF" -d "$db" -i gema_sop --load-language=id_ID \
    --without-demo=all --stop-after-init --no-http --log-level=warn
mkdir -p gema_sop/i18n
# Export to a temporary file first: Odoo reads the translations of Python
# strings from the module's id.po while exporting, so writing id.po in place
# would truncate it before it is read.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for target in gema_sop/i18n/gema_sop.pot gema_sop/i18n/id.po; do
    language=()
    [ "${target##*.}" = po ] && language=(--language=id_ID)
    "${ODOO[@]}" -c "$ODOO_CONF" -d "$db" --modules=gema_sop "${language[@]}" \
        --i18n-export="$tmp/${target##*/}" --stop-after-init --no-http --log-level=warn
    mv "$tmp/${target##*/}" "$target"
done
dropdb "$db"
echo "exported gema_sop/i18n/gema_sop.pot and gema_sop/i18n/id.po"
