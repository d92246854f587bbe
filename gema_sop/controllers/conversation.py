"""The customer's rating page of a chat conversation (SPEC CS-8).

The closing message (CS-6) carries ``/chat/rate/<id>?access_token=...``.
The page shows the branch, the conversation number and the rating form,
nothing else (G-5): no messages, no officer, no other customer's data.
The conversation is checked first (``access.record_or_404``: its token,
or its portal customer logged in; else 404) and only then read with sudo;
one rating per conversation, validated here and in the model. The rating is
the customer's (CS-8): staff see the page only with its token, as a preview
without the form, and cannot rate.
"""

from urllib.parse import urlencode

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import UserError
from odoo.http import request, route

from ..models.gema_conversation import MAX_COMMENT
from .access import record_or_404, staff_visitor

RATINGS = range(1, 6)


class GemaConversationRating(CustomerPortal):
    @route(
        "/chat/rate/<int:conversation_id>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
    )
    def gema_conversation_rate_page(self, conversation_id, access_token=None, **kw):
        conversation_sudo = record_or_404(
            "gema.conversation", conversation_id, access_token
        )
        return request.render(
            "gema_sop.gema_conversation_rating_page",
            {
                "conversation": conversation_sudo,
                "access_token": access_token,
                "error": kw.get("error"),
                "max_comment": MAX_COMMENT,
                "preview": staff_visitor(),
            },
        )

    @route(
        "/chat/rate/<int:conversation_id>",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def gema_conversation_rate(
        self, conversation_id, access_token=None, rating=None, comment=None, **kw
    ):
        """Record the rating (the route checks the CSRF token)."""
        conversation_sudo = record_or_404(
            "gema.conversation", conversation_id, access_token, decision=True
        )
        try:
            value = int(rating)
        except (TypeError, ValueError):
            value = 0
        query = {"access_token": access_token} if access_token else {}
        url = conversation_sudo.access_url
        if value not in RATINGS:
            query["error"] = "rating"
            return request.redirect(f"{url}?{urlencode(query)}")
        try:
            # Already sudo (from the access check): it proved this
            # conversation is the visitor's to rate.
            conversation_sudo._rate(value, comment)
        except UserError:
            query["error"] = "refused"
        return request.redirect(f"{url}?{urlencode(query)}" if query else url)
