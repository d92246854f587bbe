#!/usr/bin/env bash
# Refresh the README's screenshots (docs/screenshots/*.png): a fresh demo
# database, a server on a free port, headless Chromium over DevTools.
source "$(dirname "$0")/env.sh"
cd "$PROJECT"
bash tools/ensure_browser.sh
db=${GEMA_SHOTS_DB:-gema_shots}
dropdb --if-exists "$db"
"${ODOO[@]}" -c "$ODOO_CONF" -d "$db" -i gema_sop --load-language=id_ID --stop-after-init --no-http --log-level=warn
port=$("$VENV/bin/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"${ODOO[@]}" -c "$ODOO_CONF" -d "$db" --db-filter="^$db\$" --http-port="$port" \
    --log-level=warn > "$PROJECT/.local/screenshots-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 60); do
    curl -sf "http://127.0.0.1:$port/web/login" > /dev/null && break
    sleep 1
done
"$VENV/bin/python" tools/screenshots.py "http://127.0.0.1:$port" "$db" docs/screenshots
