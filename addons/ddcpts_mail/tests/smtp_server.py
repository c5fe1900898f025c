"""A minimal local SMTP server: the network edge of the email failover tests."""
import socket
import socketserver
import threading


def closed_port():
    """A local port nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class SmtpServer:
    """Accepts mail (kept in ``messages``), or refuses every login when ``refuse_login``."""

    def __init__(self, refuse_login=False):
        self.refuse_login = refuse_login
        self.messages = []
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, *lines):
                self.wfile.write(''.join(f'{line}\r\n' for line in lines).encode())

            def handle(self):
                self.reply('220 localhost ESMTP test server')
                while line := self.rfile.readline():
                    verb = line.decode(errors='replace').strip().split(' ', 1)[0].upper()
                    if verb == 'EHLO':
                        self.reply('250-localhost', '250 AUTH PLAIN LOGIN')
                    elif verb == 'AUTH':
                        self.reply('535 5.7.8 Authentication credentials invalid' if server.refuse_login
                                   else '235 2.7.0 Authentication successful')
                    elif verb == 'DATA':
                        self.reply('354 End data with <CR><LF>.<CR><LF>')
                        data = []
                        while (chunk := self.rfile.readline()) not in (b'.\r\n', b''):
                            data.append(chunk)
                        server.messages.append(b''.join(data).decode(errors='replace'))
                        self.reply('250 2.0.0 Queued')
                    elif verb == 'QUIT':
                        self.reply('221 2.0.0 Bye')
                        return
                    else:
                        self.reply('250 OK')

        self.server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
