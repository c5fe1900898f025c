import re

from markupsafe import Markup

from odoo import _, api, fields, models

from odoo.addons.ddcpts_sms import const

NOT_LETTERS = re.compile(r'[^A-Za-z]')
NOT_DIGITS = re.compile(r'\D')


def is_stop_request(text):
    """True when the whole text is an unsubscribe keyword ("Stop", "STOP.", "unsubscribe"...)."""
    return NOT_LETTERS.sub('', text or '').upper() in const.STOP_KEYWORDS


class DdcptsSmsIncoming(models.Model):
    """An SMS a subscriber sent to the business, or an opt-out reported by the gateway.

    STOP-like texts and opt-outs put the number on ``phone.blacklist`` (so mass SMS skip it) and
    leave a note on the contacts with that number; other texts are posted on the contact's chatter.
    """
    _name = 'ddcpts.sms.incoming'
    _description = "Incoming SMS"
    _order = 'id desc'
    _rec_name = 'number'

    gateway_id = fields.Many2one('ddcpts.sms.gateway', required=True, index=True, ondelete='restrict', readonly=True)
    company_id = fields.Many2one('res.company', index=True, readonly=True)
    kind = fields.Selection([('message', "Message"), ('optout', "Opt-out")], required=True, default='message',
                            readonly=True)
    provider_message_id = fields.Char("Provider Message ID", readonly=True)
    number = fields.Char("From", required=True, readonly=True)
    recipient = fields.Char("To", readonly=True, help="Short code or sender id the subscriber wrote to.")
    text = fields.Text(readonly=True)
    link_id = fields.Char("Link ID", readonly=True, help="Africa's Talking: lets a premium reply be free.")
    network_code = fields.Char(readonly=True)
    provider_date = fields.Char("Provider Date", readonly=True)
    received_at = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    partner_ids = fields.Many2many('res.partner', string="Contacts", readonly=True)
    opted_out = fields.Boolean("Opt-out", readonly=True, help="The number was put on the SMS blacklist.")

    _sql_constraints = [
        ('provider_message_unique', 'UNIQUE(gateway_id, provider_message_id)',
         "An incoming message is recorded once per gateway."),
    ]

    @api.model
    def _ddcpts_process_incoming(self, callback):
        """Processor of the incoming-message and opt-out routes of every gateway."""
        gateway = callback._ddcpts_provider_record()
        records = self.browse()
        for message in gateway._ddcpts_incoming_messages(callback):
            record = self._ddcpts_receive(gateway, message)
            if record:
                callback._ddcpts_link(record, reference=message.message_id or message.number)
                records |= record
            else:
                callback._ddcpts_mark_duplicate(message.message_id or message.number)
        return records

    @api.model
    def _ddcpts_receive(self, gateway, message):
        """Record ``message`` (an ``IncomingMessage``) and act on it; None when it is a replay."""
        raw = (message.number or '').strip()
        # gateways send international numbers, with or without "+" (MTN: "tel:+233...")
        number = self._phone_format_number('+' + NOT_DIGITS.sub('', raw), self.env['res.country'],
                                           force_format='E164') or raw
        opt_out = message.opt_out or is_stop_request(message.text)
        blacklist = self.env['phone.blacklist'].sudo()
        if message.message_id and self.search_count([('gateway_id', '=', gateway.id),
                                                     ('provider_message_id', '=', message.message_id)]):
            return None
        if message.opt_out and blacklist.search_count([('number', '=', number)]):
            return None  # already opted out: a replayed notification changes nothing
        partners = self.env['res.partner'].sudo().search(
            ['|', ('phone_sanitized', '=', number), ('phone_mobile_search', '=', number)],
        )
        record = self.create({
            'gateway_id': gateway.id,
            'company_id': gateway.company_id.id,
            'kind': 'optout' if message.opt_out else 'message',
            'provider_message_id': message.message_id,
            'number': number,
            'recipient': message.recipient,
            'text': message.text,
            'link_id': message.link_id,
            'network_code': message.network_code,
            'provider_date': message.received_at,
            'partner_ids': partners.ids,
            'opted_out': opt_out,
        })
        if opt_out:
            record._ddcpts_opt_out()
        else:
            for partner in partners:
                partner.message_post(body=message.text, author_id=partner.id, message_type='sms',
                                     subtype_xmlid='mail.mt_note')
        return record

    def _ddcpts_opt_out(self):
        self.ensure_one()
        if self.kind == 'optout':
            note = _("Opted out of SMS from %(sender)s (reported by %(gateway)s).",
                     sender=self.recipient or self.gateway_id.sender_id or '-', gateway=self.gateway_id.name)
        else:
            note = _("Asked to stop SMS by texting \"%(text)s\" to %(recipient)s.",
                     text=self.text, recipient=self.recipient or self.gateway_id.name)
        self.env['phone.blacklist'].sudo()._add([self.number], message=note)
        for partner in self.partner_ids:
            partner.message_post(body=Markup('<p>%s</p><p>%s</p>') % (
                _("%s was added to the SMS blacklist.", self.number), note), subtype_xmlid='mail.mt_note')
