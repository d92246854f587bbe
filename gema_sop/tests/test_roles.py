"""The SOP roles as groups: who implies whom (CS-9, AS-6)."""

from odoo.tests import tagged

from .common import ROLE_GROUPS, GemaSopCase

# What each role must hold, and by omission what it must not.
EXPECTED = {
    "technician": {"technician"},
    "logistics": {"logistics"},
    "advisor": {"advisor"},
    "cs": {"cs"},
    "supervisor": {"supervisor", "advisor", "cs"},
    "manager": {"manager", "supervisor", "advisor", "cs", "technician", "logistics"},
    "sopadmin": set(ROLE_GROUPS),
}


@tagged("post_install", "-at_install")
class TestRoles(GemaSopCase):
    def test_role_groups_imply_what_the_sop_roles_need(self):
        """CS-9 / AS-6: each role holds its own group and the ones it
        oversees, never a group above it."""
        for role, user in self.users.items():
            held = {r for r, group in ROLE_GROUPS.items() if user.has_group(group)}
            self.assertEqual(held, EXPECTED[role], f"groups of role {role}")
            self.assertTrue(user.has_group("base.group_user"), role)
            self.assertFalse(user.has_group("base.group_system"), role)

    def test_roles_share_one_category(self):
        groups = self.env["res.groups"].browse(
            [self.env.ref(xmlid).id for xmlid in ROLE_GROUPS.values()]
        )
        self.assertEqual(
            groups.category_id, self.env.ref("gema_sop.module_category_gema_sop")
        )

    def test_app_menu_is_open_to_every_role(self):
        """Every SOP role may open the Customer Care app; its Settings are
        for administrators (Settings > Customer Care)."""
        root = self.env.ref("gema_sop.gema_sop_menu_root")
        for role, user in self.users.items():
            self.assertTrue(user.groups_id & root.groups_id, role)
        settings = self.env.ref("gema_sop.gema_sop_menu_settings")
        admin = self.env.ref("base.user_admin")
        visible = self.env["ir.ui.menu"].with_user(admin)._visible_menu_ids()
        self.assertIn(root.id, visible)
        self.assertIn(settings.id, visible)
        for role in ("manager", "sopadmin"):
            visible = (
                self.env["ir.ui.menu"].with_user(self.users[role])._visible_menu_ids()
            )
            self.assertNotIn(settings.id, visible, role)
