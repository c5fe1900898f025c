# The official Odoo 18 image plus the Python packages the DDCPTS addons need.
FROM odoo:18
USER root
COPY requirements.txt /tmp/ddcpts-requirements.txt
RUN pip3 install --no-cache-dir --break-system-packages -r /tmp/ddcpts-requirements.txt
USER odoo
