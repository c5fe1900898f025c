-- a copied database must not move money through the original's M-Pesa account
UPDATE payment_provider
   SET mpesa_environment = 'sandbox', mpesa_c2b_registered_at = NULL
 WHERE code = 'mpesa' AND mpesa_environment = 'production';
