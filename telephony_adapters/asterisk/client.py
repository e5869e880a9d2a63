"""An AMI client: one logged-in session, and a supervisor that keeps one up.

:class:`AmiSession` is one TCP connection: it reads the banner, logs in, sends actions with an
``ActionID`` and answers each caller when the matching ``Response`` (and, for list actions, the
events up to ``EventList: Complete``; for Originate, the ``OriginateResponse``) has come.
Every other event goes to ``on_event`` in the order Asterisk sent it.

:class:`AmiClient` keeps a session up: connect, log in, run ``on_connect`` (the adapter
reconciles there), send ``Ping`` every ``ping_interval`` seconds and drop the session when no
answer comes within ``ping_timeout``, and reconnect after an exponential backoff with jitter,
reset when Asterisk says ``FullyBooted`` (or after a session that lasted the longest delay).
A refused login is logged once as an error and retried on the same backoff, so a wrong secret
never turns into a tight loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field

from telephony_adapters.asterisk.protocol import AmiMessage, AmiParser, ProtocolError, action

log = logging.getLogger(__name__)

Fields = Iterable[tuple[str, str]] | Mapping[str, str]
READ_CHUNK = 65536


class AmiError(Exception):
    """Something went wrong talking to Asterisk."""


class AmiConnectionError(AmiError):
    """No connection, or it was lost."""


class AmiAuthError(AmiError):
    """Asterisk refused the login (user, secret, or the address is not permitted)."""


class AmiActionError(AmiError):
    """Asterisk answered an action with ``Response: Error``."""

    def __init__(self, action_name: str, message: str) -> None:
        super().__init__(f"{action_name}: {message}")
        self.action_name = action_name
        self.message = message


class AmiTimeout(AmiError, TimeoutError):
    """No answer to an action in time."""


@dataclass(frozen=True)
class AmiReply:
    response: AmiMessage
    events: tuple[AmiMessage, ...] = ()


@dataclass
class _Pending:
    name: str
    future: asyncio.Future[AmiReply]
    list_action: bool
    follow_event: str | None
    response: AmiMessage | None = None
    events: list[AmiMessage] = field(default_factory=list)

    def settle(self) -> None:
        if self.future.done() or self.response is None:
            return
        if self.list_action and not self._list_complete():
            return
        if self.follow_event and not self.events:
            return
        self.future.set_result(AmiReply(self.response, tuple(self.events)))

    def _list_complete(self) -> bool:
        if (self.response and (self.response.get("EventList") or "").lower()) != "start":
            return True  # not a list after all (an empty answer, or an old Asterisk)
        return any((e.get("EventList") or "").lower() == "complete" for e in self.events)


class AmiSession:
    """One connection to Asterisk's manager port."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        on_event: Callable[[AmiMessage], None],
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._on_event = on_event
        self._parser = AmiParser(banner=True)
        self._pending: dict[str, _Pending] = {}
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()
        self._closed: asyncio.Future[AmiError] = asyncio.get_running_loop().create_future()
        self._early: list[AmiMessage] = []
        self._task: asyncio.Task[None] | None = None
        self.banner = ""

    @classmethod
    async def connect(
        cls,
        host: str,
        port: int,
        *,
        on_event: Callable[[AmiMessage], None],
        within: float,
        tls: ssl.SSLContext | None = None,
    ) -> AmiSession:
        """Open the connection and read the banner."""
        try:
            async with asyncio.timeout(within):
                reader, writer = await asyncio.open_connection(host, port, ssl=tls)
        except TimeoutError:
            raise AmiConnectionError(f"no connection to {host}:{port} within {within} s") from None
        except OSError as exc:
            raise AmiConnectionError(f"cannot connect to {host}:{port}: {exc}") from None
        session = cls(reader, writer, on_event)
        try:
            async with asyncio.timeout(within):
                while session._parser.banner is None:
                    data = await reader.read(READ_CHUNK)
                    if not data:
                        raise AmiConnectionError(f"{host}:{port} closed before its banner")
                    session._early.extend(session._parser.feed(data))
        except TimeoutError:
            session.close()
            raise AmiConnectionError(f"{host}:{port} sent no AMI banner in {within} s") from None
        except (AmiError, OSError, ProtocolError) as exc:
            session.close()
            raise AmiConnectionError(str(exc)) from None
        session.banner = session._parser.banner or ""
        if not session.banner.startswith("Asterisk Call Manager/"):
            log.warning("%s:%s greets with %r, not Asterisk's banner", host, port, session.banner)
        session._task = asyncio.create_task(session._read(), name=f"ami-read-{host}:{port}")
        return session

    @property
    def is_closed(self) -> bool:
        return self._closed.done()

    async def wait_closed(self) -> AmiError:
        """Wait until the session ends; returns why."""
        return await asyncio.shield(self._closed)

    def close(self, reason: AmiError | None = None) -> None:
        if not self._closed.done():
            self._closed.set_result(reason or AmiConnectionError("closed"))
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(
                    AmiConnectionError(f"connection lost before the answer to {pending.name}")
                )
        self._pending.clear()
        self._writer.close()
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()

    async def login(self, username: str, secret: str, *, within: float) -> AmiReply:
        try:
            return await self.send(
                "Login",
                [("Username", username), ("Secret", secret), ("Events", "on")],
                within=within,
            )
        except AmiActionError as exc:
            self.close(AmiAuthError(exc.message))
            raise AmiAuthError(
                f"Asterisk refused the login of manager user {username!r}: {exc.message}"
            ) from None
        except AmiConnectionError:
            # Asterisk closes the connection on a refused login; it may beat the answer.
            raise AmiAuthError(
                f"Asterisk closed the connection during the login of {username!r} "
                "(wrong secret, or this address is not permitted?)"
            ) from None

    async def send(
        self,
        name: str,
        fields: Fields = (),
        *,
        within: float,
        list_action: bool = False,
        follow_event: str | None = None,
    ) -> AmiReply:
        """Send an action and wait for its answer; AmiActionError on ``Response: Error``."""
        if self._closed.done():
            raise AmiConnectionError(f"not connected: cannot send {name}")
        action_id = f"sb-{next(self._ids)}"
        future: asyncio.Future[AmiReply] = asyncio.get_running_loop().create_future()
        self._pending[action_id] = _Pending(name, future, list_action, follow_event)
        try:
            payload = action(name, action_id, fields)
            async with self._lock:
                self._writer.write(payload)
                await self._writer.drain()
            async with asyncio.timeout(within):
                return await future
        except TimeoutError:
            raise AmiTimeout(f"no answer to {name} within {within} s") from None
        except (ConnectionError, OSError) as exc:
            self.close(AmiConnectionError(str(exc)))
            raise AmiConnectionError(f"connection lost sending {name}: {exc}") from None
        finally:
            self._pending.pop(action_id, None)

    async def _read(self) -> None:
        reason: AmiError = AmiConnectionError("Asterisk closed the connection")
        try:
            for message in self._early:
                self._dispatch(message)
            self._early.clear()
            while True:
                data = await self._reader.read(READ_CHUNK)
                if not data:
                    break
                for message in self._parser.feed(data):
                    self._dispatch(message)
        except asyncio.CancelledError:
            reason = AmiConnectionError("closed")
        except (OSError, ConnectionError) as exc:
            reason = AmiConnectionError(f"connection error: {exc}")
        except ProtocolError as exc:
            reason = AmiConnectionError(f"not AMI: {exc}")
        finally:
            self.close(reason)

    def _dispatch(self, message: AmiMessage) -> None:
        pending = self._pending.get(message.action_id or "")
        if pending is not None:
            # OriginateResponse carries a Response: field too; an event is never the answer.
            if message.event is None and message.response is not None and not pending.response:
                if message.response.lower() == "error":
                    if not pending.future.done():
                        error = message.get("Message") or "error"
                        pending.future.set_exception(AmiActionError(pending.name, error))
                    return
                pending.response = message
                pending.settle()
                return
            if message.event is not None and (
                pending.list_action or message.event == pending.follow_event
            ):
                pending.events.append(message)
                pending.settle()
                return
        if message.event is None:
            log.debug("an AMI response nobody waits for: %s", message.action_id)
            return
        try:
            self._on_event(message)
        except Exception:
            log.exception("handling the AMI %s event failed", message.event)


class Backoff:
    """Exponential delays with jitter: initial, x2, x4 ... up to ``maximum``."""

    def __init__(
        self,
        initial: float,
        maximum: float,
        *,
        jitter: float = 0.2,
        multiplier: float = 2.0,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
        self.multiplier = multiplier
        self._rand = rand
        self.attempts = 0

    def next(self) -> float:
        base = min(self.maximum, self.initial * self.multiplier ** min(self.attempts, 64))
        self.attempts += 1
        spread = base * self.jitter * (2 * self._rand() - 1)
        return max(0.0, min(self.maximum * (1 + self.jitter), base + spread))

    def reset(self) -> None:
        self.attempts = 0


@dataclass
class ClientStatus:
    connected: bool = False
    banner: str = ""
    connects: int = 0
    failures: int = 0
    last_error: str | None = None


class AmiClient:
    """Keeps one logged-in AMI session up until :meth:`stop`."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str,
        secret: str,
        on_event: Callable[[AmiMessage], None],
        on_open: Callable[[], None] = lambda: None,
        on_connect: Callable[[AmiSession], Awaitable[None]] | None = None,
        tls: ssl.SSLContext | None = None,
        connect_timeout: float = 5.0,
        action_timeout: float = 10.0,
        ping_interval: float = 20.0,
        ping_timeout: float = 10.0,
        backoff: Backoff | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self._username = username
        self._secret = secret
        self._on_event = on_event
        self._on_open = on_open
        self._on_connect = on_connect
        self._tls = tls
        self.connect_timeout = connect_timeout
        self.action_timeout = action_timeout
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.backoff = backoff or Backoff(0.5, 30.0)
        self.status = ClientStatus()
        self.session: AmiSession | None = None
        self.ready = asyncio.Event()
        self._stopping = asyncio.Event()
        self._logged_error: str | None = None

    def stop(self) -> None:
        self._stopping.set()
        if self.session is not None:
            self.session.close(AmiConnectionError("stopped"))

    async def send(
        self,
        name: str,
        fields: Fields = (),
        *,
        within: float | None = None,
        list_action: bool = False,
        follow_event: str | None = None,
    ) -> AmiReply:
        """An action on the current session; AmiConnectionError when there is none."""
        session = self.session
        if session is None or session.is_closed or not self.ready.is_set():
            raise AmiConnectionError("not connected to Asterisk")
        return await session.send(
            name,
            fields,
            within=self.action_timeout if within is None else within,
            list_action=list_action,
            follow_event=follow_event,
        )

    async def run(self) -> None:
        while not self._stopping.is_set():
            await self._once()
            if self._stopping.is_set():
                break
            delay = self.backoff.next()
            log.debug("reconnecting to Asterisk at %s:%s in %.2f s", self.host, self.port, delay)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._stopping.wait()

    def _event(self, message: AmiMessage) -> None:
        if message.event == "FullyBooted":
            self.backoff.reset()
        elif message.event == "Shutdown":
            log.warning("Asterisk is shutting down (%s)", message.get("Shutdown") or "")
        self._on_event(message)

    async def _once(self) -> None:
        session: AmiSession | None = None
        try:
            session = await AmiSession.connect(
                self.host,
                self.port,
                on_event=self._event,
                within=self.connect_timeout,
                tls=self._tls,
            )
            self._on_open()
            await session.login(self._username, self._secret, within=self.action_timeout)
            self.session = session
            self.status.connected = True
            self.status.banner = session.banner
            self.status.connects += 1
            log.info(
                "connected to Asterisk at %s:%s (%s) as %r%s",
                self.host,
                self.port,
                session.banner,
                self._username,
                f" after {self.status.failures} failed attempts" if self.status.failures else "",
            )
            self.status.failures = 0
            self.status.last_error = None
            self._logged_error = None
            keepalive = asyncio.create_task(self._keepalive(session))
            try:
                if self._on_connect is not None:
                    await self._on_connect(session)
                self.ready.set()
                since = asyncio.get_running_loop().time()
                reason = await session.wait_closed()
                if asyncio.get_running_loop().time() - since >= self.backoff.maximum:
                    self.backoff.reset()  # a long good session, even without FullyBooted
            finally:
                self.ready.clear()
                keepalive.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keepalive
            if not self._stopping.is_set():
                log.warning("lost the connection to Asterisk: %s; reconnecting", reason)
        except (AmiError, OSError) as exc:
            self._failed(exc)
        except Exception as exc:  # a bug must not end the adapter: log it, reconnect
            log.exception("the Asterisk session failed")
            self._failed(exc)
        finally:
            self.session = None
            self.status.connected = False
            if session is not None:
                session.close()

    def _failed(self, exc: Exception) -> None:
        self.status.failures += 1
        text = str(exc)
        self.status.last_error = text
        if self._stopping.is_set():
            return
        if text != self._logged_error:
            self._logged_error = text
            level = logging.ERROR if isinstance(exc, AmiAuthError) else logging.WARNING
            log.log(level, "Asterisk AMI at %s:%s: %s; will retry", self.host, self.port, text)
        else:
            log.debug("Asterisk AMI at %s:%s, again: %s", self.host, self.port, text)

    async def _keepalive(self, session: AmiSession) -> None:
        while not session.is_closed:
            await asyncio.sleep(self.ping_interval)
            try:
                await session.send("Ping", within=self.ping_timeout)
            except AmiTimeout:
                log.warning(
                    "Asterisk did not answer Ping within %s s; reconnecting", self.ping_timeout
                )
                session.close(AmiConnectionError("no answer to Ping"))
                return
            except AmiError:
                return
