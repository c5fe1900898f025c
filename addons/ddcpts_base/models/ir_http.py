from werkzeug.exceptions import RequestEntityTooLarge

from odoo import models
from odoo.http import request

from odoo.addons.ddcpts_base.controllers.callback import reject, request_values


class IrHttp(models.AbstractModel):
    _inherit = 'ir.http'

    @classmethod
    def _pre_dispatch(cls, rule, args):
        """Keep the raw body of provider callbacks before Odoo parses form bodies into parameters.

        Werkzeug only lets the body be read once; caching it here lets the callback log store it
        byte for byte. A body over the route's size limit is refused (413) and logged as rejected.
        """
        super()._pre_dispatch(rule, args)
        callback = rule.endpoint.routing.get('ddcpts_callback')
        if not callback:
            return
        httprequest = request.httprequest
        limit = httprequest.max_content_length  # set by callback_route
        # the declared length is checked before reading, the read length for chunked bodies
        if (httprequest.content_length or 0) <= limit and len(httprequest.get_data(cache=True)) <= limit:
            return
        values = request_values(
            callback['provider_model'], args.get('record_id'), args.get('token'),
            callback['processor'], callback['content_type'], body=False,
        )
        reject(values, f"Body larger than {limit} bytes.", status=413)
        raise RequestEntityTooLarge()
