from odoo import api, fields, models


class ImLivechatChannel(models.Model):
    """A branch's website live chat (CS-1).

    Each branch has one live chat channel (``gema_company_id``), made when
    the addon is installed and when a branch is created, with the branch's
    CS officers as operators. The public ``/booking`` page of the branch
    shows it, and any other site embeds it with the channel's script
    (*Widget* tab). A visitor's messages are filed on a ``gema.conversation``
    of that branch (``discuss.channel``)."""

    _inherit = "im_livechat.channel"

    gema_company_id = fields.Many2one(
        "res.company",
        string="Branch",
        index="btree_not_null",
        help="The branch whose chat desk receives the visitors of this channel (CS-1).",
    )

    _sql_constraints = [
        (
            "gema_company_unique",
            "UNIQUE (gema_company_id)",
            "A branch has one website live chat channel.",
        ),
    ]

    @api.model
    def _gema_setup_branches(self, companies=None):
        """Give every branch of ``companies`` (default: the active ones) that
        has none its live chat channel, operated by its CS officers, and add
        the CS officers of the branch that are not operators yet. The
        welcome message asks only for what the desk needs (G-5)."""
        companies = companies or self.env["res.company"].search([("active", "=", True)])
        # sudo: live chat channels are kept by live chat administrators; the
        # branch setup makes the branch's own.
        Channel = self.sudo().with_context(lang="en_US")
        channels = Channel.search([("gema_company_id", "in", companies.ids)])
        officers = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("share", "=", False),
                    ("groups_id", "in", self.env.ref("gema_sop.group_cs_officer").id),
                ]
            )
        )
        for company in companies:
            channel = channels.filtered(lambda c, co=company: c.gema_company_id == co)
            operators = officers.filtered(lambda u, co=company: co in u.company_ids)
            if channel:
                channel.user_ids = [fields.Command.link(u.id) for u in operators]
                continue
            channel = Channel.create(
                {
                    "name": Channel.env._("%(branch)s Live Chat", branch=company.name),
                    "gema_company_id": company.id,
                    "user_ids": [fields.Command.set(operators.ids)],
                }
            )
            channel._gema_translate_texts()

    def _gema_translate_texts(self):
        """The button and the welcome message in every installed language."""
        for lang, _name in self.env["res.lang"].get_installed():
            channel = self.with_context(lang=lang)
            channel.write(
                {
                    "button_text": channel.env._("Questions? Chat with us"),
                    "default_message": channel.env._(
                        "Hello! Please tell us your name and your question. "
                        "Leave your WhatsApp number only if you want us to "
                        "follow up there."
                    ),
                    "input_placeholder": channel.env._("Write your message..."),
                }
            )
