"""The Customer Care dashboard (CS-8, G-2) on Odoo's spreadsheet
dashboards, and the managers' count graphs."""

import json
from datetime import timedelta

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import SUITE_NOW, GemaSopCase

COUNT_GRAPHS = (
    "gema.booking",
    "gema.conversation",
    "gema.followup",
    "gema.message",
    "gema.service.job",
    "gema.sla.status",
    "gema.ticket",
    "gema.violation",
)


@tagged("post_install", "-at_install")
class TestDashboard(GemaSopCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref("gema_sop.spreadsheet_dashboard_customer_care")
        cls.other_branch = cls.env["res.company"].create(
            {"name": "Test Branch Binjai", "parent_id": cls.main_company.id}
        )

    def _snapshot(self):
        return json.loads(self.dashboard.spreadsheet_data)

    def _definitions(self):
        """(what, model, group-by fields, measures, domain, field matching) of
        every pivot and Odoo chart of the dashboard."""
        snapshot = self._snapshot()
        for pivot in snapshot["pivots"].values():
            yield (
                f"pivot {pivot['name']}",
                pivot["model"],
                [d["fieldName"] for d in pivot["rows"] + pivot["columns"]],
                [m["fieldName"] for m in pivot["measures"]],
                pivot["domain"],
                pivot["fieldMatching"],
            )
        for sheet in snapshot["sheets"]:
            for figure in sheet["figures"]:
                data = figure["data"]
                if not data["type"].startswith("odoo_"):
                    continue
                yield (
                    f"chart {figure['id']}",
                    data["metaData"]["resModel"],
                    [g.split(":")[0] for g in data["metaData"]["groupBy"]],
                    [data["metaData"]["measure"]],
                    data["searchParams"]["domain"],
                    data["fieldMatching"],
                )
        self.assertFalse(snapshot["lists"], "lists would need their own check")

    def test_cs8_dashboard_is_installed_for_supervisors(self):
        """CS-8: the dashboard is installed and published in its own group,
        for supervisors (and managers, who are supervisors)."""
        self.assertTrue(self.dashboard.is_published)
        self.assertEqual(
            self.dashboard.group_ids, self.env.ref("gema_sop.group_cs_supervisor")
        )
        self.assertEqual(self.dashboard.dashboard_group_id.name, "Customer Care")
        snapshot = self._snapshot()
        self.assertEqual(
            [f["label"] for f in snapshot["globalFilters"]], ["Period", "Branch"]
        )

    def test_cs8_dashboard_reads_only_existing_groupable_fields(self):
        """CS-8: every pivot and chart of the dashboard groups by stored,
        groupable fields, measures aggregatable ones, filters on existing
        fields, and reads as a supervisor (rights and record rules)."""
        supervisor = self.users["supervisor"]
        date_filter, branch_filter = (
            f["id"] for f in self._snapshot()["globalFilters"]
        )
        for what, model, group_by, measures, domain, matching in self._definitions():
            with self.subTest(what):
                Model = self.env[model].with_user(supervisor)
                fields = Model.fields_get(
                    attributes=["type", "groupable", "aggregator"]
                )
                for name in group_by:
                    self.assertTrue(fields[name]["groupable"], name)
                for name in measures:
                    if name != "__count":
                        self.assertTrue(fields[name].get("aggregator"), name)
                self.assertEqual(matching[branch_filter]["chain"], "company_id")
                self.assertEqual(fields["company_id"]["type"], "many2one")
                if date_filter in matching:
                    chain = matching[date_filter]["chain"]
                    self.assertEqual(
                        fields[chain]["type"], matching[date_filter]["type"]
                    )
                specs = [
                    "__count" if m == "__count" else f"{m}:{fields[m]['aggregator']}"
                    for m in measures
                ]
                Model.read_group(domain, specs, group_by, lazy=False)

    def test_cs8_only_supervisors_and_managers_open_the_dashboard(self):
        """CS-8, security: supervisors, managers and SOP administrators read
        the dashboard; technicians, logistics, advisors and CS officers do
        not find it, nor read it by its id."""
        Dashboard = self.env["spreadsheet.dashboard"]
        for role in ("supervisor", "manager", "sopadmin"):
            with self.subTest(role):
                user = self.users[role]
                self.assertIn(self.dashboard, Dashboard.with_user(user).search([]))
                snapshot = self.dashboard.with_user(user).get_readonly_dashboard()
                self.assertEqual(len(snapshot["snapshot"]["pivots"]), 7)
        for role in ("technician", "logistics", "advisor", "cs"):
            with self.subTest(role):
                user = self.users[role]
                self.assertNotIn(self.dashboard, Dashboard.with_user(user).search([]))
                with self.assertRaises(AccessError):
                    self.dashboard.with_user(user).read(["name", "spreadsheet_data"])

    def _breaches(self):
        """A chat answered too late in the branch (its first response line
        breached by the cron) and a breached line of the other branch."""
        conversation = (
            self.env["gema.conversation"]
            .with_company(self.branch)
            .create(
                {
                    "channel": "whatsapp",
                    "customer_name": "Budi Santoso",
                    "summary": "Selamat pagi, mau tanya servis.",
                    "company_id": self.branch.id,
                    "user_id": self.users["cs"].id,
                }
            )
        )
        with freeze_time(SUITE_NOW + timedelta(hours=2)):
            self.env["gema.sla.status"]._cron_process_due()
        line = self.env["gema.sla.status"].search(
            [("res_model", "=", "gema.conversation"), ("res_id", "=", conversation.id)]
        )
        self.assertEqual(line.state, "breached")
        # Another record: one open line per policy and record.
        line.copy({"company_id": self.other_branch.id, "res_id": conversation.id + 1})
        return line

    def test_cs8_open_breaches_are_the_branch_ones(self):
        """CS-8, security: the open breaches figure counts what the record
        rules let the supervisor see, their branch's only."""
        line = self._breaches()
        [pivot] = [
            p
            for p in self._snapshot()["pivots"].values()
            if p["name"] == "Open breaches"
        ]
        groups = (
            self.env["gema.sla.status"]
            .with_user(self.users["supervisor"])
            .read_group(pivot["domain"], ["__count"], [], lazy=False)
        )
        self.assertEqual(groups[0]["__count"], 1)
        self.assertEqual(line.company_id, self.branch)

    def test_cs8_dashboard_renders_in_chromium(self):
        """CS-8 in Chromium: a supervisor opens the dashboard from the
        Customer Care menu; its ten figures show, every chart's data and
        every cell's formula load without error, and open breaches read 1
        (the branch's, not the other branch's)."""
        self._breaches()
        self.start_tour(
            "/odoo/action-gema_sop.spreadsheet_dashboard_customer_care_action",
            "gema_customer_care_dashboard",
            login="test_supervisor",
        )

    def test_g2_count_graphs_have_whole_number_axes(self):
        """G-2: the count graphs (violations first) use the graph whose
        vertical axis counts in whole numbers: Odoo's own writes "6,00"."""
        for model in COUNT_GRAPHS:
            with self.subTest(model):
                arch = etree.fromstring(
                    self.env[model]
                    .with_user(self.users["sopadmin"])
                    .get_views([(False, "graph")])["views"]["graph"]["arch"]
                )
                self.assertEqual(arch.get("js_class"), "gema_count_graph")
                self.assertFalse(arch.xpath("//field[@type='measure']"))

    def test_g2_violation_graph_axis_in_chromium(self):
        """G-2 in Chromium: the violations graph's vertical axis labels are
        whole numbers."""
        self._breaches()
        self.start_tour(
            "/odoo/action-gema_sop.gema_violation_action?view_type=graph",
            "gema_violation_graph_ticks",
            login="test_supervisor",
        )
