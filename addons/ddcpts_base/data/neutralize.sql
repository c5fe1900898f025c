-- a copied database must not send events to the production systems of the original
UPDATE ddcpts_webhook_endpoint SET active = false;
DELETE FROM ddcpts_provider_token;
