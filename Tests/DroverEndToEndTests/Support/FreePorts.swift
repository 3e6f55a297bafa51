import DroverCore
import DroverSystem
import Foundation

/// Ports for tests that listen: a base whose `types` ports (base, base+100, ...) are
/// all free right now, so parallel tests do not meet on a fixed number.
enum FreePorts {
    static func base(types: Int = 1) -> Int {
        for _ in 0..<50 {
            let candidate = Int.random(in: 20_000...(64_000 - 100 * types))
            let sockets = (0..<types).compactMap {
                try? TCPSocket.listen(on: IPv4Endpoint(host: .loopback, port: candidate + 100 * $0))
            }
            for socket in sockets { socket.close() }
            if sockets.count == types { return candidate }
        }
        return 40_000
    }
}

/// The test servers: Python's standard library only.
enum TestServers {
    /// Answers every connection with its pid (HTTP/1.0). It listens on fd 3 when drover
    /// hands it a socket, else binds `$PORT` itself; DELAY seconds pass before it listens.
    /// SIGTERM makes it finish the connection in hand and exit: a graceful stop. With
    /// ONCE set it exits 1 after its first answer (a crash, for a restart policy).
    static let pidServer = """
        import os, signal, socket, sys, time
        stop = False
        def term(*_):
            global stop
            stop = True
        signal.signal(signal.SIGTERM, term)
        time.sleep(float(os.environ.get("DELAY", "0.3")))
        if os.environ.get("LISTEN_FDS") == "1":
            s = socket.socket(fileno=3)
        else:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", int(os.environ["PORT"])))
            s.listen(64)
        s.settimeout(0.05)
        print("serving pid=%d listen_pid=%s names=%s" % (os.getpid(), os.environ.get("LISTEN_PID"), os.environ.get("LISTEN_FDNAMES")), flush=True)
        while not stop:
            try:
                c, _ = s.accept()
            except socket.timeout:
                continue
            c.settimeout(None)
            c.recv(1024)
            body = str(os.getpid()).encode()
            status = os.environ.get("STATUS", "200 OK").encode()
            c.sendall(b"HTTP/1.0 " + status + b"\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body)
            c.close()
            if os.environ.get("ONCE"):
                sys.exit(1)

        """

    /// `python3 client.py PORT COUNT`: connects COUNT times, 5 ms apart; prints
    /// `ok N refused N other N pids P,P`.
    static let client = """
        import socket, sys, time
        port, count = int(sys.argv[1]), int(sys.argv[2])
        ok = refused = other = 0
        pids = set()
        for _ in range(count):
            s = socket.socket()
            try:
                s.connect(("127.0.0.1", port))
                s.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
                data = b""
                while True:
                    chunk = s.recv(1024)
                    if not chunk:
                        break
                    data += chunk
                body = data.split(b"\\r\\n\\r\\n")[-1]
                if body:
                    pids.add(body.decode())
                    ok += 1
                else:
                    other += 1
            except ConnectionRefusedError:
                refused += 1
            except OSError:
                other += 1
            finally:
                s.close()
            time.sleep(0.005)
        print("ok %d refused %d other %d pids %s" % (ok, refused, other, ",".join(sorted(pids))), flush=True)

        """
}
