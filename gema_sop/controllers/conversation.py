"""The customer's rating page of a chat conversation (SPEC CS-8).

The closing message (CS-6) carries ``/chat/rate/<id>?access_token=...``.
The page shows the branch, the conversation number and the rating form,
nothing else (G-5): no messages, no officer, no other customer's data.
The conversation is checked first (its token, else 404) and only then
read with sudo; one rating per conversation, validated here and in the
model.
"""

from urllib.parse import urlencode

from werkzeug.exceptions import NotFound

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import UserError
from odoo.http import request, route

from ..models.gema_conversation import MAX_COMMENT
from .access import record_or_404

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
        conversation_sudo = self._gema_conversation_check_access(
            conversation_id, access_token
        )
        return request.render(
            "gema_sop.gema_conversation_rating_page",
            {
                "conversation": conversation_sudo,
                "access_token": access_token,
                "error": kw.get("error"),
                "max_comment": MAX_COMMENT,
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
        conversation_sudo = self._gema_conversation_check_access(
            conversation_id, access_token
        )
        try:
            value = int(rating)
        except (TypeError, ValueError):
            value = 0
        query = urlencode({"access_token": access_token})
        url = f"{conversation_sudo.access_url}?{query}"
        if value not in RATINGS:
            return request.redirect(f"{url}&error=rating")
        try:
            # Already sudo (from the access check): the token proved this
            # conversation is the visitor's to rate.
            conversation_sudo._gema_rate(value, comment)
        except UserError:
            return request.redirect(f"{url}&error=refused")
        return request.redirect(url)

    def _gema_conversation_check_access(self, conversation_id, access_token):
        """The conversation, sudo, by its token only (a chat has no portal
        list): 404 without one."""
        if not access_token:
            raise NotFound()
        return record_or_404(self, "gema.conversation", conversation_id, access_token)
