"""``python -m sandbox --port 8070``: run the simulator in the foreground."""

import argparse
import logging
import signal

from .server import serve


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="DDCPTS provider simulator")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8070, help="port to listen on (default: %(default)s)")
    parser.add_argument(
        "--callback-delay-ms",
        type=int,
        default=300,
        help="delay before a callback is sent when no rule says otherwise (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # `docker stop` sends SIGTERM, which PID 1 would otherwise ignore: stop as cleanly as on Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    serve(args.host, args.port, callback_delay_ms=args.callback_delay_ms)


if __name__ == "__main__":
    main()
