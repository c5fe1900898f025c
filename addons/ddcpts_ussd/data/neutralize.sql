-- a copied database must not answer the production service codes nor talk to MTN
UPDATE ddcpts_ussd_service
   SET active = false;
