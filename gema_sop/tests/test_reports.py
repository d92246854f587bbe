"""Managers' reports as Odoo draws them (BK-9, G-2)."""

from lxml import etree

from odoo.tests import tagged

from .common import GemaSopCase


@tagged("post_install", "-at_install")
class TestReports(GemaSopCase):
    def _arch(self, model, view_type):
        views = (
            self.env[model]
            .with_user(self.users["manager"])
            .get_views([(False, view_type)])
        )
        return etree.fromstring(views["views"][view_type]["arch"])

    def test_bk9_booking_pivot_rows_are_the_requested_days(self):
        """BK-9: the booking pivot's rows are the days customers asked for,
        so requests not scheduled yet are not lumped under "None"."""
        [row] = self._arch("gema.booking", "pivot").xpath("//field[@type='row']")
        self.assertEqual(
            (row.get("name"), row.get("interval")), ("requested_start", "day")
        )

    def test_g2_violation_graph_has_no_total_line(self):
        """G-2: the violations graph draws side-by-side bars of counts, not
        stacked bars, on which Odoo draws a total line that reads as a
        cumulative count."""
        [graph] = self._arch("gema.violation", "graph").xpath("//graph")
        self.assertEqual(graph.get("type"), "bar")
        self.assertIn(graph.get("stacked"), ("0", "False"))
        self.assertFalse(
            graph.xpath("//field[@type='measure']"), "counts are the measure"
        )
