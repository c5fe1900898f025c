"""Settings of the outgoing mail server presets."""

# One-click SMTP presets (host, port, encryption, fixed user)
MAIL_PRESETS = [
    ('sendgrid', "SendGrid"),
    ('mailgun', "Mailgun"),
    ('ses', "Amazon SES"),
    ('smtp', "Other SMTP server"),
]
MAILGUN_HOSTS = {'us': 'smtp.mailgun.org', 'eu': 'smtp.eu.mailgun.org'}
SES_REGIONS = [
    ('us-east-1', "US East (N. Virginia)"),
    ('us-west-2', "US West (Oregon)"),
    ('eu-west-1', "Europe (Ireland)"),
    ('eu-central-1', "Europe (Frankfurt)"),
    ('af-south-1', "Africa (Cape Town)"),
    ('ap-south-1', "Asia Pacific (Mumbai)"),
]
