"""The access check every customer page makes first."""

from werkzeug.exceptions import NotFound

from odoo.exceptions import AccessError, MissingError


def record_or_404(portal, model, record_id, access_token):
    """The record, sudo, if the visitor may read it (portal login) or holds
    its token; 404 otherwise: a wrong token must not tell that the record
    exists. ``portal`` is the ``CustomerPortal`` controller asking."""
    try:
        return portal._document_check_access(
            model, record_id, access_token=access_token or None
        )
    except (AccessError, MissingError) as error:
        raise NotFound() from error
