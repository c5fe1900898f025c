-- a copied database must not send SMS through the production gateways
UPDATE ddcpts_sms_gateway
   SET active = false;
