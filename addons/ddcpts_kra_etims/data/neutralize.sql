-- a copied database must never fiscalize with KRA: devices forget their key and leave production
UPDATE ddcpts_etims_device SET state = 'draft', environment = 'test';
DELETE FROM ddcpts_secret WHERE res_model = 'ddcpts.etims.device';
UPDATE res_company SET etims_auto_send = false;
