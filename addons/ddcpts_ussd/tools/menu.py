"""The USSD menu engine: screens declared as a tree of nodes, navigated by replaying the inputs.

A gateway sends the whole input history of a session with every request (or we keep it on the
session), so the position in the menu is rebuilt from the history at each step: any worker can
answer any step, nothing lives in memory between requests. Other addons build menus from these
nodes (see ``readme/USAGE.md``)::

    from odoo.addons.ddcpts_ussd.tools import menu as ussd

    ussd.Menu("Savings", [
        ussd.Option("Balance", ussd.Message(lambda ctx: f"Balance: KES {balance(ctx)}")),
        ussd.Option("Deposit", ussd.Prompt("Amount to deposit", ussd.amount(minimum=10),
                                           then=lambda ctx, amount: ussd.Action(deposit, amount=amount))),
    ])

Nodes:

- :class:`Menu`: a title and numbered options, paginated with ``98`` when they do not fit a screen;
- :class:`Prompt`: asks for a value checked by a validator (:func:`amount`, :func:`phone`, :func:`digits`);
- :class:`PinPrompt`: asks for the caller's PIN (see ``ddcpts.ussd.pin``) before a protected branch;
- :class:`Message`: a final screen (``END``);
- :class:`Action`: the step that changes something (records a payment request, sets a PIN): it runs
  once, on the live input only, and ends the session with the text it returns;
- :class:`Dynamic`: a node computed when it is reached (e.g. a list of the caller's loans).

Navigation keys: ``0`` goes back one screen, ``00`` goes home, ``98`` shows the next page of a menu.
A wrong choice or an invalid value shows the same screen again with a short error line.
"""
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from odoo.exceptions import UserError

from odoo.addons.ddcpts_base.tools.identity import normalize_msisdn

MAX_SCREEN_CHARS = 182
BACK, HOME, MORE = '0', '00', '98'
SAFE_TEXT = re.compile(r'[ -~\n]*')  # printable ASCII and line breaks: what every handset shows


class ScreenError(ValueError):
    """A screen is longer than a USSD screen, or holds characters handsets cannot show."""


class InvalidInput(ValueError):
    """The caller's input is not acceptable; the message (short) is shown above the same screen."""


def check_screen(text):
    """Refuse a screen over :data:`MAX_SCREEN_CHARS` or with characters outside printable ASCII."""
    if len(text) > MAX_SCREEN_CHARS:
        raise ScreenError(f"USSD screen of {len(text)} characters (at most {MAX_SCREEN_CHARS}): {text[:40]!r}…")
    if not SAFE_TEXT.fullmatch(text):
        raise ScreenError(f"USSD screen with characters handsets may not show: {text[:40]!r}…")
    return text


def plain(text):
    """Dynamic text (names, labels from the database) reduced to printable ASCII (``Njeri Wanjikũ`` →
    ``Njeri Wanjiku``), so data cannot break a screen."""
    text = unicodedata.normalize('NFKD', str(text)).encode('ascii', 'ignore').decode()
    return ''.join(char for char in text if char == '\n' or ' ' <= char <= '~')


def _resolve(value, ctx):
    return value(ctx) if callable(value) else value


# ----------------------------------------------------------------------
# Validators of Prompt: value as typed -> cleaned value, or InvalidInput
# ----------------------------------------------------------------------

def amount(minimum=1, maximum=1_000_000, decimals=0):
    """Whole (or ``decimals``-digit) amounts between ``minimum`` and ``maximum``, as ``Decimal``."""
    def validate(text):
        if not re.fullmatch(r'\d{1,9}(\.\d{1,2})?', text):
            raise InvalidInput("Enter a number.")
        try:
            value = Decimal(text)
        except InvalidOperation as error:
            raise InvalidInput("Enter a number.") from error
        if value != value.quantize(Decimal(1).scaleb(-decimals)):
            raise InvalidInput("Enter whole units." if not decimals else f"At most {decimals} decimals.")
        if not Decimal(minimum) <= value <= Decimal(maximum):
            raise InvalidInput(f"Enter {minimum} to {maximum}.")
        return value
    return validate


def digits(min_length=1, max_length=20):
    """A string of digits (account numbers, member numbers)."""
    def validate(text):
        if not re.fullmatch(r'\d{%d,%d}' % (min_length, max_length), text):
            raise InvalidInput(f"Enter {min_length} to {max_length} digits." if min_length != max_length
                               else f"Enter {min_length} digits.")
        return text
    return validate


def phone(country_code='KE'):
    """A Kenyan or Ghanaian mobile number in any local form, returned as an MSISDN (``2547…``)."""
    def validate(text):
        if not re.fullmatch(r'\+?\d{9,13}', text):
            raise InvalidInput("Enter a mobile number.")
        try:
            return normalize_msisdn(text, country_code)
        except UserError as error:
            raise InvalidInput("Not a mobile number.") from error
    return validate


# ----------------------------------------------------------------------
# Nodes
# ----------------------------------------------------------------------

class Node:
    """A screen of the menu tree."""

    final = False

    def render(self, ctx, page=0):
        raise NotImplementedError

    def check(self):
        """Check what is known when the menu is built (static texts); dynamic ones are checked when shown."""


class Message(Node):
    """A final screen: the session ends with this text (a string or ``ctx -> string``)."""

    final = True

    def __init__(self, text):
        self.text = text
        self.check()

    def check(self):
        if not callable(self.text):
            check_screen(self.text)

    def render(self, ctx, page=0):
        return check_screen(_resolve(self.text, ctx))


class Action(Node):
    """A step with an effect: ``function(ctx, **values)`` runs once, on the live input, and returns the
    final text. During a replay of older inputs it is never reached (it ends the session)."""

    final = True

    def __init__(self, function, **values):
        self.function = function
        self.values = values

    def render(self, ctx, page=0):
        return check_screen(self.function(ctx, **self.values))


class Dynamic(Node):
    """A node computed when reached: ``builder(ctx) -> Node``, e.g. a list of the caller's accounts."""

    def __init__(self, builder):
        self.builder = builder

    def resolve(self, ctx):
        node = self.builder(ctx)
        return node.resolve(ctx) if isinstance(node, Dynamic) else node


class Option:
    """One numbered line of a menu leading to ``node`` (a Node or ``ctx -> Node``)."""

    def __init__(self, label, node, visible=None):
        self.label = label
        self.node = node
        self.visible = visible  # ctx -> bool: e.g. only for registered callers

    def target(self, ctx):
        node = _resolve(self.node, ctx) if not isinstance(self.node, Node) else self.node
        return node.resolve(ctx) if isinstance(node, Dynamic) else node


class Menu(Node):
    """A title and numbered options; options that do not fit one screen go to further pages (``98``).

    Options are numbered across pages (1…N), so a number means the same option on every page.
    """

    def __init__(self, title, options):
        self.title = title
        self.options = list(options)
        if not self.options:
            raise ValueError(f"USSD menu {title!r} has no option")
        self.check()

    def check(self):
        if callable(self.title):
            return
        check_screen(self.title)
        # every option must fit a screen with the title and the navigation lines
        for number, option in enumerate(self.options, start=1):
            check_screen(self._page_text(self.title, [(number, option.label)], more=True, back=True))

    def visible_options(self, ctx):
        return [(number, option) for number, option in enumerate(self.options, start=1)
                if option.visible is None or option.visible(ctx)]

    def pages(self, ctx):
        """Split the visible options in pages that each fit a screen (with room for ``98``/``0``)."""
        title = plain(_resolve(self.title, ctx))
        lines = [(number, plain(option.label)) for number, option in self.visible_options(ctx)]
        pages, current = [], []
        for line in lines:
            if current and len(self._page_text(title, current + [line], more=True, back=True)) > MAX_SCREEN_CHARS:
                pages.append(current)
                current = []
            current.append(line)
        pages.append(current)
        return title, pages

    @staticmethod
    def _page_text(title, lines, more, back):
        text = '\n'.join([title] + [f"{number}. {label}" for number, label in lines])
        footer = ' '.join(item for item, shown in ((f"{MORE}. More", more), ("0. Back", back)) if shown)
        return f"{text}\n{footer}" if footer else text

    def render(self, ctx, page=0, back=False):
        title, pages = self.pages(ctx)
        page = min(page, len(pages) - 1)
        return check_screen(self._page_text(title, pages[page], more=page < len(pages) - 1, back=back or page > 0))

    def choose(self, ctx, text):
        """The option for the typed number, or InvalidInput."""
        options = dict(self.visible_options(ctx))
        if not text.isdigit() or int(text) not in options:
            raise InvalidInput("Invalid choice.")
        return options[int(text)]


class Prompt(Node):
    """Asks for a value: ``validate(text)`` cleans it, ``then(ctx, value)`` gives the next node."""

    secret = False

    def __init__(self, text, validate, then):
        self.text = text
        self.validate = validate
        self.then = then
        self.check()

    def check(self):
        if not callable(self.text):
            check_screen(f"{self.text}\n0. Back")

    def render(self, ctx, page=0, back=False):
        text = plain(_resolve(self.text, ctx))
        return check_screen(f"{text}\n0. Back" if back else text)

    def submit(self, ctx, text, live):
        value = self.validate(text)
        return self.then(ctx, value)


class PinPrompt(Prompt):
    """Asks for a PIN. The PIN is checked (and a wrong one counted) on the live input only; when the
    history is replayed the recorded outcome of that position is used, so the PIN itself is needed
    once and never stored (see ``ddcpts.ussd.session``)."""

    secret = True

    def __init__(self, text, check_pin, then):
        """:param check_pin: ``(ctx, pin) -> value`` raising InvalidInput (or returning an END node)."""
        super().__init__(text, None, then)
        self.check_pin = check_pin

    def submit(self, ctx, text, live):
        if ctx.dry_run:
            value = None
        elif live:
            value = self.check_pin(ctx, text)
            if isinstance(value, Node):
                return value
            ctx.pin_accepted()
        elif not ctx.pin_was_accepted():
            raise InvalidInput("Wrong PIN.")
        else:
            value = None
        return self.then(ctx, value)


# ----------------------------------------------------------------------
# Navigation
# ----------------------------------------------------------------------

class Context:
    """What nodes see of the request; the addon's context (``ddcpts.ussd.service``) adds the
    environment, the session, the caller's phone number and partner."""

    dry_run = False  # walking the menu in tests: no PIN checked, no action run
    position = 0  # index of the input being replayed

    def pin_accepted(self):
        """Record that the PIN typed at the current position was right."""
        raise NotImplementedError

    def pin_was_accepted(self):
        """Whether the PIN typed at the current position was right when it was typed."""
        raise NotImplementedError


class Step:
    """Where a replay ended: the screen to send and what the session records."""

    def __init__(self, text, final, secret_next):
        self.text = text
        self.final = final
        self.secret_next = secret_next  # the next input answers a PIN prompt: mask it


def navigate(root, ctx, inputs):
    """Replay ``inputs`` from ``root`` and return the :class:`Step` to show.

    Only the last input is live (``ctx.position`` tells which input is being replayed): a PIN is
    checked and an :class:`Action` runs only for it. Inputs after a final node are ignored.
    """
    stack = [(root, 0)]  # (node, page)
    error = None
    for position, text in enumerate(inputs):
        ctx.position = position
        live = position == len(inputs) - 1
        node, page = stack[-1]
        error = None
        if node.final:
            break
        if text == HOME:
            stack = [(root, 0)]
            continue
        if text == BACK and page:
            stack[-1] = (node, page - 1)
            continue
        if text == BACK and len(stack) > 1:
            stack.pop()
            continue
        try:
            if isinstance(node, Menu):
                if text == MORE:
                    if page + 1 >= len(node.pages(ctx)[1]):
                        raise InvalidInput("Invalid choice.")
                    stack[-1] = (node, page + 1)
                    continue
                following = node.choose(ctx, text).target(ctx)
            else:
                following = node.submit(ctx, text, live)
                if isinstance(following, Dynamic):
                    following = following.resolve(ctx)
        except InvalidInput as invalid:
            error = str(invalid)
            continue
        if isinstance(following, Action) and (not live or ctx.dry_run):
            # an action ends its session: a replay never goes past it
            break
        stack.append((following, 0))
    ctx.position = len(inputs)
    node, page = stack[-1]
    if node.final:
        return Step(node.render(ctx), True, False)
    back = len(stack) > 1
    screen = node.render(ctx, page, back=back) if isinstance(node, (Menu, Prompt)) else node.render(ctx, page)
    if error:
        screen = _with_error(error, screen)
    return Step(screen, False, isinstance(node, Prompt) and node.secret)


def _with_error(error, screen):
    """The error line above the screen, the screen's end trimmed when both do not fit."""
    text = f"{error}\n{screen}"
    return text if len(text) <= MAX_SCREEN_CHARS else screen


def walk(root, ctx, sample_inputs=('1', '1234', '100', '0712345678'), max_depth=6):
    """Yield ``(inputs, Step)`` for the screens reachable from ``root`` (tests check every screen).

    Menus are explored option by option and page by page; prompts with the sample inputs. Actions
    are not run (they would change data): their node is yielded instead of a step.
    """
    ctx.dry_run = True
    seen = set()

    def explore(path, depth):
        step = navigate(root, ctx, list(path))
        yield path, step
        if step.final or depth >= max_depth or step.text in seen:
            return
        seen.add(step.text)
        for key in _candidate_inputs(step.text, sample_inputs):
            yield from explore(path + (key,), depth + 1)

    yield from explore((), 0)


def _candidate_inputs(screen, sample_inputs):
    numbers = re.findall(r'^(\d+)\. ', screen, flags=re.MULTILINE)
    keys = [number for number in numbers if number != BACK]
    if MORE in screen:
        keys.append(MORE)
    return keys or list(sample_inputs)
