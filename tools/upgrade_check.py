"""The data side of tools/upgrade_check.sh.

    python tools/upgrade_check.py snapshot DB FILE   # before the upgrade
    python tools/upgrade_check.py compare FILE DB    # after it

``snapshot`` writes every row of every ``gema_*`` table, and the rows of
Odoo's tables that hold the SOP records' data (chatter messages and their
tracking, activities, followers, attachments, customers, branches, staff,
the module's XML ids and settings, the SOP's rating rows once Odoo's
rating module holds them), column by column, and the indexes and
constraints of the ``gema_*`` tables, as JSON; plain SQL, so that the same
code reads the old and the new schema.

``compare`` reads the upgraded database the same way and fails (exit 1)
on any row, column, index or constraint of the snapshot that is gone or
changed, on a record of this checkout's data files that is missing, and on
any value that changed other than the changes the 18.0.1.1.0 migration
makes (``expected_changes``: the rules of
``gema_sop/migrations/18.0.1.1.0/post-migration.py`` computed again from
the snapshot, on its lists of dates). It also fails when the snapshot
lacks the data a check needs (nothing checked is nothing proved): bookings
with a held slot, SLA lines, queued, sent and failed messages, ratings,
and a row for every migration rule.
"""

import ast
import csv
import hashlib
import importlib.util
import json
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import psycopg2
from psycopg2 import sql

# Odoo's tables, restricted to the rows of the SOP records.
ODOO_TABLES = {
    "mail_message": "model LIKE 'gema.%'",
    "mail_tracking_value": "mail_message_id IN "
    "(SELECT id FROM mail_message WHERE model LIKE 'gema.%')",
    "mail_activity": "res_model LIKE 'gema.%'",
    "mail_followers": "res_model LIKE 'gema.%'",
    "ir_attachment": "res_model LIKE 'gema.%'",
    "res_partner": "TRUE",
    "res_company": "TRUE",
    "hr_employee": "TRUE",
    "res_users": "TRUE",
    "ir_config_parameter": "key LIKE 'gema%'",
    # 18.0.1.1.0: the SOP's ratings (absent before: Odoo's rating module
    # came with it).
    "rating_rating": "res_model LIKE 'gema.%'",
}
# Columns an update rewrites by itself: the records of the module's data
# files (policies, service types, templates' links) are written again.
IGNORED = {"write_date", "write_uid"}
LEFT = ("sent", "delivered", "read")
# The migration's lists of dates (its rules are computed again below).
MIGRATION = (
    Path(__file__).parents[1] / "gema_sop/migrations/18.0.1.1.0/post-migration.py"
)
_spec = importlib.util.spec_from_file_location("gema_sop_post_migration", MIGRATION)
_migration = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_migration)


# Stored fields 18.0.1.1.0 replaced by a field of the SLA mixin with the
# same meaning: (table, old column) -> new column, same values.
REPLACED_COLUMNS = {
    ("gema_followup", "on_time_rate"): "gema_sla_on_time_rate",
    ("gema_service_job", "updates_on_time"): "gema_sla_on_time",
    ("gema_service_job", "updates_on_time_rate"): "gema_sla_on_time_rate",
}
# Indexes 18.0.1.1.0 replaced: old -> the one that serves the same queries.
REPLACED_INDEXES = {
    # The SLA cron's claim reads (next_check, id) in order (issue 16).
    "gema_sla_status__next_check_index": "gema_sla_status_due_idx",
}
# Shipped SLA policies that name the record's fields keeping their result
# (18.0.1.1.0): xmlid -> the columns the migration fills when empty.
POLICY_FIELDS = {
    "sla_policy_bk2_first_response": ("result_field_id",),
    "sla_policy_cs4_first_response": ("result_field_id", "elapsed_field_id"),
}


def _tables(rules):
    return [(model.replace(".", "_"), *rest) for model, *rest in rules]


SENT_ONCE = _tables(_migration.SENT_ONCE)
SENT_LATEST = _tables(_migration.SENT_LATEST)
SENT_FILL_ONLY = _tables(_migration.SENT_FILL_ONLY)
SENT_REMINDER = _tables(_migration.SENT_REMINDER)
# Rules the seeded data must exercise with a real change of value.
REQUIRED_RULES = {
    "sent date cleared (message not left)",
    "sent date filled in (message left)",
    "delay notice date: the latest notice's",
    "sent date moved to the moment the message left",
    "reminder date moved to the moment it left",
    "gateway message's last attempt filled in",
    "a follow-up's social media permission kept as the customer's consent",
    "a 1-5 rating kept as the record's rating.rating row",
}
# The models whose rating 18.0.1.1.0 moved to rating.rating rows.
RATED_TABLES = [model.replace(".", "_") for model in _migration.RATED_MODELS]


def _model(table):
    return table.replace("_", ".")


def snapshot(dbname):
    connection = psycopg2.connect(dbname=dbname)
    cr = connection.cursor()
    cr.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "'public' AND table_type = 'BASE TABLE' AND table_name LIKE 'gema\\_%'"
    )
    tables = {name: "TRUE" for (name,) in cr.fetchall()}
    cr.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "'public' AND table_name IN %s",
        [tuple(ODOO_TABLES)],
    )
    present = {name for (name,) in cr.fetchall()}
    tables.update({t: w for t, w in ODOO_TABLES.items() if t in present})
    result = {"tables": {}}
    for table, where in sorted(tables.items()):
        # The table names come from the catalog, the filters from above.
        cr.execute(
            sql.SQL("SELECT * FROM {} WHERE ").format(sql.Identifier(table))
            + sql.SQL(where)
        )
        columns = [column.name for column in cr.description]
        rows = {}
        for values in cr.fetchall():
            row = {c: _plain(v) for c, v in zip(columns, values, strict=True)}
            key = str(row["id"]) if "id" in row else json.dumps(row, sort_keys=True)
            rows[key] = row
        result["tables"][table] = {"columns": columns, "rows": rows}
    cr.execute(
        "SELECT module || '.' || name, model, res_id, noupdate FROM ir_model_data "
        "WHERE module = 'gema_sop'"
    )
    result["xmlids"] = {
        xmlid: {"model": model, "res_id": res_id, "noupdate": noupdate}
        for xmlid, model, res_id, noupdate in cr.fetchall()
    }
    cr.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
        "AND tablename LIKE 'gema\\_%'"
    )
    result["indexes"] = dict(cr.fetchall())
    cr.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid::regclass::text LIKE 'gema\\_%'"
    )
    result["constraints"] = dict(cr.fetchall())
    connection.close()
    return result


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        # Odoo's import reads numeric columns as floats: one form for both.
        return float(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, (bytes, memoryview)):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    return str(value)


def expected_changes(old):
    """{(table, key, column): value} the migration sets, and the number of
    rows each rule changed."""
    tables = old["tables"]
    messages = tables["gema_message"]["rows"].values()
    template_ids = {
        xmlid.split(".", 1)[1]: data["res_id"]
        for xmlid, data in old["xmlids"].items()
        if data["model"] == "mail.template"
    }
    changes, hits = {}, Counter()

    def of(table, template, res_id):
        return sorted(
            (
                m
                for m in messages
                if m["res_model"] == _model(table)
                and m["template_id"] == template_ids[template]
                and m["res_id"] == res_id
            ),
            key=lambda m: m["id"],
        )

    def first_left(found):
        return min((m["sent_date"] for m in found if m["state"] in LEFT), default=None)

    rules = SENT_ONCE + SENT_LATEST + SENT_FILL_ONLY + SENT_REMINDER
    for table, template, column in rules:
        for key, row in tables[table]["rows"].items():
            found = of(table, template, row["id"])
            if not found:
                continue
            current = row[column]
            latest = found[-1]
            latest_left = latest["sent_date"] if latest["state"] in LEFT else None
            if (table, template, column) in SENT_ONCE:
                value = first_left(found)
            elif (table, template, column) in SENT_LATEST:
                value = latest_left
            elif (table, template, column) in SENT_FILL_ONLY:
                value = current if current else first_left(found)
            else:
                value = latest_left if current and latest_left else current
            if value == current:
                continue
            changes[table, key, column] = value
            if (table, template, column) in SENT_LATEST:
                hits["delay notice date: the latest notice's"] += 1
            elif (table, template, column) in SENT_REMINDER:
                hits["reminder date moved to the moment it left"] += 1
            elif value is None:
                hits["sent date cleared (message not left)"] += 1
            elif current is None:
                hits["sent date filled in (message left)"] += 1
            else:
                hits["sent date moved to the moment the message left"] += 1
    for key, message in tables["gema_message"]["rows"].items():
        if (
            message["channel"] == "whatsapp_api"
            and message["state"] in LEFT
            and message["attempts"]
            and message["sent_date"]
        ):
            changes["gema_message", key, "sending_date"] = message["sent_date"]
            hits["gateway message's last attempt filled in"] += 1
    return changes, hits


def coverage_problems(old):
    """What the snapshot must hold for the comparison to prove anything."""
    rows = {table: data["rows"].values() for table, data in old["tables"].items()}
    booked = {
        slot["res_id"]
        for slot in rows["gema_technician_slot"]
        if slot["res_model"] == "gema.booking" and slot["active"]
    }
    states = Counter(m["state"] for m in rows["gema_message"])
    channels = Counter(m["channel"] for m in rows["gema_message"])
    wanted = {
        "a confirmed booking with a held technician slot": any(
            b["state"] == "confirmed" and b["id"] in booked
            for b in rows["gema_booking"]
        ),
        "open SLA lines": any(
            line["state"] in ("running", "at_risk", "breached")
            for line in rows["gema_sla_status"]
        ),
        "closed SLA lines with a result": any(
            line["state"] in ("done", "late") and line["result"]
            for line in rows["gema_sla_status"]
        ),
        "queued, sent and failed messages": all(
            states[s] for s in ("queued", "sent", "failed")
        ),
        "messages by link and by gateway": channels["whatsapp_link"]
        and channels["whatsapp_api"],
        "a rated conversation": any(c["rating"] for c in rows["gema_conversation"]),
        "a rated ticket": any(t["rating"] for t in rows["gema_ticket"]),
        "a follow-up with the customer's answer": any(
            f["outcome"] for f in rows["gema_followup"]
        ),
        "chatter messages of the SOP records": bool(rows["mail_message"]),
    }
    return [f"the data has no {what}" for what, ok in wanted.items() if not ok]


def data_xmlids():
    """The XML ids of the records and templates of this checkout's data
    files (the manifest's ``data``): an upgraded database must have every
    one, those of ``noupdate`` files included (Odoo creates the missing)."""
    addon = Path(__file__).parents[1] / "gema_sop"
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    xmlids = set()
    for name in manifest["data"]:
        path = addon / name
        if path.suffix == ".csv":
            with path.open(encoding="utf-8") as file:
                xmlids |= {row["id"] for row in csv.DictReader(file)}
            continue
        for node in ElementTree.parse(path).iter():
            if node.tag in ("record", "template", "menuitem") and node.get("id"):
                xmlids.add(node.get("id"))
    return {
        x if "." in x else f"gema_sop.{x}"
        for x in xmlids
        if "." not in x or x.startswith("gema_sop.")
    }


def compare(old, new):
    problems = coverage_problems(old)
    changes, hits = expected_changes(old)
    problems += consent_problems(old, new, hits)
    problems += rating_problems(old, new, hits)
    problems += [
        f"no row for the migration rule: {rule}"
        for rule in sorted(REQUIRED_RULES - set(hits))
    ]
    checked = Counter()
    for table, data in old["tables"].items():
        if table not in new["tables"]:
            problems.append(f"{table}: table gone ({len(data['rows'])} rows)")
            continue
        new_rows = new["tables"][table]["rows"]
        gone = set(data["columns"]) - set(new["tables"][table]["columns"])
        replaced = {
            column: REPLACED_COLUMNS[table, column]
            for column in gone
            if (table, column) in REPLACED_COLUMNS
        }
        gone -= set(replaced)
        if gone:
            problems.append(f"{table}: columns gone: {', '.join(sorted(gone))}")
        for key, row in data["rows"].items():
            if key not in new_rows:
                problems.append(f"{table} {key}: row gone")
                continue
            for column, value in row.items():
                if column in replaced:
                    got = new_rows[key].get(replaced[column])
                    if got != value:
                        problems.append(
                            f"{table} {key}.{replaced[column]}: {got!r}, expected "
                            f"{value!r} (the value of {column})"
                        )
                    continue
                if column in IGNORED or column in gone:
                    continue
                want = changes.get((table, key, column), value)
                if new_rows[key][column] != want:
                    problems.append(
                        f"{table} {key}.{column}: {new_rows[key][column]!r}, "
                        f"expected {want!r} (was {value!r})"
                    )
            checked[table] += 1
    for (table, key, column), want in changes.items():
        if column not in old["tables"][table]["columns"]:
            got = new["tables"][table]["rows"][key].get(column)
            if got != want:
                problems.append(f"{table} {key}.{column}: {got!r}, expected {want!r}")
    replaced_fields = {
        f"gema_sop.field_{table}__{column}" for table, column in REPLACED_COLUMNS
    }
    for xmlid, data in old["xmlids"].items():
        if xmlid in replaced_fields:
            continue
        if new["xmlids"].get(xmlid) != data:
            problems.append(f"{xmlid}: {new['xmlids'].get(xmlid)}, was {data}")
    # Indexes and constraints (unique keys, checks, foreign keys) of the
    # SOP tables: kept as they were (a version dropping one says so here).
    for kind in ("indexes", "constraints"):
        for name, definition in old[kind].items():
            if name in REPLACED_INDEXES and name not in new[kind]:
                if REPLACED_INDEXES[name] not in new[kind]:
                    problems.append(
                        f"index {name} dropped without {REPLACED_INDEXES[name]}"
                    )
                continue
            if new[kind].get(name) != definition:
                problems.append(
                    f"{kind[:-1]} {name}: {new[kind].get(name)!r}, was {definition!r}"
                )
    policies = new["tables"]["gema_sla_policy"]["rows"]
    for xmlid, columns in POLICY_FIELDS.items():
        res_id = new["xmlids"][f"gema_sop.{xmlid}"]["res_id"]
        policy = next(row for row in policies.values() if row["id"] == res_id)
        for column in columns:
            if not policy.get(column):
                problems.append(f"{xmlid}.{column}: not filled by the migration")
        checked["shipped policies naming their result fields"] += 1
    wanted = data_xmlids()
    problems += [
        f"{xmlid}: a record of the data files missing after the upgrade"
        for xmlid in sorted(wanted - set(new["xmlids"]))
    ]
    checked["data file records"] = len(wanted)
    return problems, checked, hits


def consent_problems(old, new, hits):
    """Each follow-up's social media permission is a testimonial consent of
    its customer after the upgrade (``testimonial_consent_from_followups``)."""
    consents = {
        (row["res_id"], row["partner_id"]): row
        for row in new["tables"].get("gema_consent", {"rows": {}})["rows"].values()
        if row["kind"] == "testimonial" and row["res_model"] == "gema.followup"
    }
    problems = []
    for followup in old["tables"]["gema_followup"]["rows"].values():
        if not followup["social_permission"] or not followup["partner_id"]:
            continue
        hits[
            "a follow-up's social media permission kept as the customer's consent"
        ] += 1
        consent = consents.get((followup["id"], followup["partner_id"]))
        answer = (
            "granted" if followup["social_permission"] == "granted" else "withdrawn"
        )
        if not consent or consent["answer"] != answer:
            problems.append(
                f"gema_followup {followup['id']}: permission "
                f"{followup['social_permission']!r} not kept as consent ({consent!r})"
            )
    return problems


def rating_problems(old, new, hits):
    """Each rated conversation and ticket has, after the upgrade, exactly
    one rating.rating row with its value (1 to 5 as given), comment, moment
    and customer, and no token for Odoo's rating pages
    (``ratings_to_rating_records``); an unrated one has none."""
    rows = new["tables"].get("rating_rating", {"rows": {}})["rows"].values()
    problems = []
    for table in RATED_TABLES:
        model = _model(table)
        for record in old["tables"][table]["rows"].values():
            found = [
                row
                for row in rows
                if row["res_model"] == model and row["res_id"] == record["id"]
            ]
            if record["rating"] in (None, 0, "0", ""):
                if found:
                    problems.append(f"{table} {record['id']}: unrated, has {found!r}")
                continue
            hits["a 1-5 rating kept as the record's rating.rating row"] += 1
            wanted = {
                "rating": float(record["rating"]),
                "feedback": record["rating_comment"],
                "create_date": record["rated_date"],
                "partner_id": record["partner_id"],
                "consumed": True,
                "access_token": None,
            }
            got = [{key: r[key] for key in wanted} for r in found]
            if got != [wanted]:
                problems.append(
                    f"{table} {record['id']}: rating rows {got!r}, "
                    f"expected [{wanted!r}]"
                )
    return problems


def main():
    command, *args = sys.argv[1:]
    if command == "snapshot":
        dbname, path = args
        with open(path, "w", encoding="utf-8") as file:
            json.dump(snapshot(dbname), file, indent=1, sort_keys=True)
        return 0
    path, dbname = args
    with open(path, encoding="utf-8") as file:
        old = json.load(file)
    problems, checked, hits = compare(old, snapshot(dbname))
    for table in (
        "gema_booking",
        "gema_technician_slot",
        "gema_sla_status",
        "gema_message",
        "gema_conversation",
        "gema_ticket",
        "gema_followup",
        "mail_message",
    ):
        print(f"  {table}: {checked[table]} rows kept, every column compared")
    print(f"  {checked.pop('data file records')} records of the data files present")
    print(
        f"  {len(old['indexes'])} indexes and {len(old['constraints'])} "
        "constraints of the gema tables kept"
    )
    print(
        f"  {sum(checked.values())} rows of {len(checked)} tables compared; "
        f"{len(old['xmlids'])} XML ids kept"
    )
    for rule, count in sorted(hits.items()):
        print(f"  migration: {rule}: {count} rows")
    if problems:
        print(f"upgrade check: {len(problems)} problems:")
        for problem in problems[:200]:
            print(f"  {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
