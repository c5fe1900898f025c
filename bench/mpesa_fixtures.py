"""The M-Pesa provider both M-Pesa benchmarks use: test mode against the simulator, called back on the
bench server, with its own KES bank journal (created once per database)."""
import common as bench


def bench_provider(env):
    kes = env.ref('base.KES')
    kes.active = True
    journal = env['account.journal'].search([('code', '=', 'BMPSA')]) or env['account.journal'].create({
        'name': "M-Pesa (bench)", 'code': 'BMPSA', 'type': 'bank',
        'currency_id': kes.id if env.company.currency_id != kes else False,
    })
    provider = env.ref('ddcpts_mpesa.payment_provider_mpesa')
    provider.write({  # the demo provider, moved from the Kenyan demo company to the bench's
        'company_id': env.company.id,
        'state': 'test', 'mpesa_environment': 'custom', 'mpesa_custom_url': bench.sandbox_url(),
        'mpesa_consumer_key': 'bench', 'mpesa_consumer_secret': 'bench', 'mpesa_passkey': 'bench',
        'mpesa_shortcode': '174379', 'journal_id': journal.id, 'ddcpts_public_url': bench.server_url(),
    })
    return provider
