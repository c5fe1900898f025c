-- a copied database must not move money through the original's MoMo account
UPDATE payment_provider
   SET momo_target_environment = 'sandbox', momo_api_url_type = 'sandbox', momo_api_url = NULL
 WHERE code = 'momo' AND momo_target_environment != 'sandbox';
