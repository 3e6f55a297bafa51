import DroverCore
import DroverSystem

#if canImport(Glibc)
import Glibc
#endif

/// The control socket: one request line per connection, one reply (or a log stream).
extension Supervisor {
    static let maximumClients = 256
    /// A client must send its request line within this time, or it is dropped.
    static let requestTimeoutMilliseconds: Int64 = 10_000

    func acceptClients() {
        guard let listener = configuration.control?.listener else { return }
        while true {
            let connection: FileDescriptor?
            do { connection = try UnixSocket.accept(listener) } catch { return }
            guard let connection else { return }
            let client = ControlClient(
                descriptor: connection, token: nextClientToken,
                deadline: Clocks.monotonicMilliseconds() + Self.requestTimeoutMilliseconds)
            nextClientToken += 1
            if !ControlAccess.allows(peer: UnixSocket.peerUserID(connection), own: UnixSocket.ownUserID) {
                refuse(client, "permission denied: this drover belongs to another user")
                continue
            }
            if clients.count >= Self.maximumClients {
                refuse(client, "too many connections")
                continue
            }
            do {
                try poller.add(connection, token: client.token, interest: .readable)
            } catch {
                connection.close()
                continue
            }
            clients[client.token] = client
        }
    }

    /// One best-effort error line, then the connection is closed.
    private func refuse(_ client: ControlClient, _ message: String) {
        client.queue(ControlReply.failure(message).serialized + "\n")
        _ = client.flush()
        client.descriptor.close()
    }

    func handleClient(_ event: EventPoller.Event) {
        guard let client = clients[event.token] else { return }
        if event.writable, !client.flush() {
            close(client)
            return
        }
        if event.readable || event.closed {
            switch client.phase {
            case .awaitingRequest:
                switch client.readRequest(into: readBuffer) {
                case .nothingYet: break
                case .closed: close(client); return
                case .tooLong:
                    reply(client, ControlReply.failure("request longer than \(ControlRequest.maximumLength) bytes"))
                case let .line(line):
                    handleRequest(line, from: client)
                }
            case .following, .closing:
                // Nothing more is expected from the client: drop what it sends; only its
                // hang-up matters.
                if !client.discardInput(into: readBuffer) {
                    close(client)
                    return
                }
            }
        }
        settle(client)
    }

    /// Closes a client whose reply is out, cuts off one that stopped reading, and
    /// watches for writability only while something waits.
    func settle(_ client: ControlClient) {
        guard clients[client.token] != nil else { return }
        if client.pendingCount > ControlClient.maximumPending {
            close(client)
            return
        }
        if case .closing = client.phase, client.pendingCount == 0 {
            close(client)
            return
        }
        let wantWritable = client.pendingCount > 0
        if wantWritable != client.watchingWritable {
            client.watchingWritable = wantWritable
            try? poller.modify(
                client.descriptor, token: client.token, interest: wantWritable ? [.readable, .writable] : .readable)
        }
    }

    /// Closes a registered client once; later calls do nothing.
    func close(_ client: ControlClient) {
        guard clients.removeValue(forKey: client.token) != nil else { return }
        poller.remove(client.descriptor)
        client.descriptor.close()
    }

    func expireClients(now: Int64) {
        for client in clients.values {
            if let deadline = client.requestDeadline, now >= deadline { close(client) }
        }
    }

    private func reply(_ client: ControlClient, _ value: JSONValue) {
        client.queue(value.serialized + "\n")
        client.phase = .closing
        if !client.flush() { close(client) }
    }

    // MARK: Requests

    private func handleRequest(_ line: String, from client: ControlClient) {
        let request: ControlRequest
        do {
            request = try ControlRequest.parse(line)
        } catch {
            reply(client, ControlReply.failure("bad request: \(error.reason)"))
            return
        }
        switch request {
        case .status:
            reply(client, status())
        case let .logs(lines, follow, targets, colored):
            streamLogs(to: client, lines: lines, follow: follow, targets: targets, colored: colored)
        default:
            guard !plan.isStopping else {
                reply(client, ControlReply.failure("drover is stopping"))
                return
            }
            do throws(InvalidValue) {
                switch request {
                case let .scale(counts): reply(client, try scale(counts))
                case let .restart(targets):
                    for slot in try select(targets) {
                        if slot.isRunning {
                            stopInstance(slot, intent: .restart)
                        } else {
                            slot.restarts += 1
                            start(slot)
                        }
                    }
                    reply(client, status())
                case let .stop(targets):
                    for slot in try select(targets) where slot.isRunning { stopInstance(slot, intent: .stop) }
                    reply(client, status())
                case let .start(targets):
                    for slot in try select(targets) where !slot.isRunning { start(slot) }
                    reply(client, status())
                case .quit:
                    perform(plan.stop(.requested, now: Clocks.monotonicMilliseconds()))
                    reply(client, ControlReply.success([("pid", .integer(Int(getpid())))]))
                case .status, .logs:
                    break
                }
            } catch {
                reply(client, ControlReply.failure(error.reason))
            }
        }
    }

    private func status() -> JSONValue {
        let now = Clocks.monotonicMilliseconds()
        return ControlReply.success([
            ("pid", .integer(Int(getpid()))),
            ("stopping", .bool(plan.isStopping)),
            ("instances", .array(slots.map { $0.status(now: now).json })),
        ])
    }

    /// Every instance the selectors name (none: all); a selector that names nothing is an error.
    private func select(_ selectors: [InstanceSelector]) throws(InvalidValue) -> [InstanceSlot] {
        guard !selectors.isEmpty else { return slots }
        for selector in selectors where !slots.contains(where: { selector.matches(type: $0.plan.type, number: $0.plan.number) }) {
            throw InvalidValue("no instance matches \"\(selector)\"")
        }
        return slots.filter { selectors.selects(type: $0.plan.type, number: $0.plan.number) }
    }

    private func scale(_ counts: [(type: String, count: Int)]) throws(InvalidValue) -> JSONValue {
        let procfile = configuration.procfile
        // Check everything first, so a bad item changes nothing.
        var planned: [(entryIndex: Int, count: Int)] = []
        for (type, count) in counts {
            guard let entryIndex = procfile.index(of: type) else {
                throw InvalidValue("unknown process type \"\(type)\" (the Procfile has: \(procfile.names.joined(separator: ", ")))")
            }
            if count > 0 {
                _ = try PortPlan.instance(
                    of: procfile.entries[entryIndex], entryIndex: entryIndex, number: count,
                    basePort: configuration.application.basePort)
            }
            planned.append((entryIndex, count))
        }
        for (entryIndex, count) in planned {
            let entry = procfile.entries[entryIndex]
            let current = slots.filter { $0.plan.type == entry.name }.sorted { $0.plan.number < $1.plan.number }
            if count < current.count {
                // The highest numbers go, gracefully; the others are not touched.
                for slot in current[count...] {
                    slots.removeAll { $0 === slot }
                    if slot.isRunning {
                        retired.append(slot)
                        stopInstance(slot, intent: .remove)
                    } else {
                        closeOutput(of: slot)
                    }
                }
            } else if count > current.count {
                for number in (current.count + 1)...count {
                    let instance = try PortPlan.instance(
                        of: entry, entryIndex: entryIndex, number: number, basePort: configuration.application.basePort)
                    let slot = makeSlot(instance)
                    let position = slots.firstIndex {
                        ($0.plan.entryIndex, $0.plan.number) > (entryIndex, number)
                    } ?? slots.endIndex
                    slots.insert(slot, at: position)
                    start(slot)
                }
            }
        }
        let formation = procfile.entries.map { entry in
            (entry.name, JSONValue.integer(slots.filter { $0.plan.type == entry.name }.count))
        }
        return ControlReply.success([("formation", .object(formation))])
    }

    // MARK: Logs

    private func streamLogs(to client: ControlClient, lines: Int, follow: Bool, targets: [InstanceSelector], colored: Bool) {
        let chosen: [InstanceSlot]
        do {
            chosen = targets.isEmpty ? slots : try select(targets)
        } catch {
            reply(client, ControlReply.failure(error.reason))
            return
        }
        client.queue(ControlReply.success([("follow", .bool(follow))]).serialized + "\n")
        // The last `lines` of the merged stream: each ring's tail, merged by sequence.
        var entries: [(entry: LogRing.Entry, name: String, colorIndex: Int?)] = []
        for slot in chosen {
            entries += slot.log.last(lines).map { ($0, slot.plan.name, slot.plan.entryIndex) }
        }
        if targets.isEmpty { entries += systemLog.last(lines).map { ($0, "system", nil) } }
        entries.sort { $0.entry.sequence < $1.entry.sequence }
        let style = followerStyle(colored: colored)
        for (entry, name, colorIndex) in entries.suffix(lines) {
            let prefix = style.prefix(name: name, colorIndex: colorIndex, time: Self.timeOfDay(entry.time))
            prefix.withUnsafeBytes { prefixBytes in
                entry.bytes.withUnsafeBytes { client.queue(prefix: prefixBytes, line: $0) }
            }
        }
        client.phase = follow ? .following(targets: targets, colored: colored) : .closing
        if !client.flush() { close(client) }
    }

    /// The `logs -f` clients that want this instance's lines.
    func followers(of slot: InstanceSlot) -> [ControlClient] {
        guard !clients.isEmpty else { return [] }
        return clients.values.filter { client in
            guard case let .following(targets, _) = client.phase else { return false }
            return targets.selects(type: slot.plan.type, number: slot.plan.number)
        }
    }

    func sendLine(_ line: UnsafeRawBufferPointer, of slot: InstanceSlot, to client: ControlClient) {
        guard case let .following(_, colored) = client.phase else { return }
        (colored ? slot.followerPrefixes.colored : slot.followerPrefixes.plain).withUnsafeBytes {
            client.queue(prefix: $0, line: line)
        }
    }

    /// After a chunk: write to followers, and cut off any that fell too far behind.
    func flushFollowers(_ followers: [ControlClient]) {
        for client in followers {
            if !client.flush() {
                close(client)
            } else {
                settle(client)
            }
        }
    }
}
