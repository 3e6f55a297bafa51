import DroverCore
import DroverSystem

/// `--watch`: inotify over each watched tree, one watch per directory, added as
/// directories appear; changes are gathered by the core's `WatchPlan` and, once
/// quiet for the debounce time, restart their types. Nothing polls: the loop wakes
/// for events and for the one debounce deadline.
final class Watcher {
    /// Directories watched per loop turn: a large tree is walked a slice at a time, so
    /// signals, output and `ps` are not held up while it is.
    static let directoriesPerTurn = 256

    private let watch: DirectoryWatch
    private var plan: WatchPlan
    private let ignore: WatchIgnore
    private let deadlines: Deadlines
    private let router: LogRouter
    /// Restarts a type's instances, saying why first (unless none is left to restart).
    private let restart: (WatchPlan.Restart) -> Void
    /// Each watch's directory, and whether directories appearing in it get watches too
    /// (not for the directory of a watched file, or one above a target that is gone).
    private var directories: [Int32: (path: String, recursive: Bool)] = [:]
    private var watches: [String: Int32] = [:]
    /// Trees still being walked, first come first.
    private var walks: [TreeWalk] = []
    /// Paths that were drover's own output file: a renamed `--log` file is no change.
    private var outputNames: Set<String> = []
    /// The deadlines already in the queue, so a burst adds one entry, not one each.
    private var debounceScheduled: Int64?
    private var walkScheduled: Int64?

    /// One tree being watched: what is left to visit, and what went wrong on the way.
    private struct TreeWalk {
        let top: String
        /// When the tree appeared: its files are changes then. Nil at start.
        let foundAt: Int64?
        /// The user named `top`: a link there is followed (none found below is).
        let followTop: Bool
        var pending: [String]
        var missed = 0
        var failure: (path: String, error: SystemError)?
    }

    init(
        _ application: Application, plan: WatchPlan, ownFiles: Set<String>, poller: EventPoller, deadlines: Deadlines,
        router: LogRouter, restart: @escaping (WatchPlan.Restart) -> Void
    ) throws(LaunchError) {
        self.plan = plan
        // Relative paths (`-s`, `--log`) are the current directory's.
        let here = (try? FileSystem.currentDirectory().get()) ?? application.root
        ignore = WatchIgnore(
            globs: application.watch.ignore,
            paths: Set(ownFiles.map { FilePath.absolute($0, from: here) }))
        self.deadlines = deadlines
        self.router = router
        self.restart = restart
        do {
            watch = try DirectoryWatch()
            try poller.add(watch.descriptor, token: EventSource.watch.token, interest: .readable)
        } catch {
            throw LaunchError("cannot watch files (--watch): \(error.reason)")
        }
        // The loader checked that each target exists; one gone since is awaited like one removed later.
        let now = Clocks.monotonicMilliseconds()
        for path in plan.watchedPaths { watchTarget(path, foundAt: nil, now: now) }
    }

    /// A directory target is walked; for a file, its directory is watched alone, so an
    /// editor's rename over it is seen too; a missing one is waited for.
    private func watchTarget(_ path: String, foundAt: Int64?, now: Int64) {
        switch FileSystem.kind(of: path) {
        case .directory:
            walks.append(TreeWalk(top: path, foundAt: foundAt, followTop: true, pending: [path]))
            scheduleWalk(now: now)
        case .missing:
            awaitReturn(of: path, now: now)
        case .file, .other:
            watchShallow(FilePath.directory(of: path))
        }
    }

    /// A target that is gone: the nearest directory above it that exists is watched
    /// (alone) to see it, or the directories leading to it, come back.
    private func awaitReturn(of target: String, now: Int64) {
        var ancestor = FilePath.directory(of: target)
        while ancestor != "/", FileSystem.kind(of: ancestor) != .directory { ancestor = FilePath.directory(of: ancestor) }
        watchShallow(ancestor)
        // Back before the watch was in place: nothing would tell.
        if FileSystem.kind(of: target) == .directory, watches[target] == nil, !walks.contains(where: { $0.top == target }) {
            watchTarget(target, foundAt: now, now: now)
            plan.changed(target, now: now)
        }
    }

    private func watchShallow(_ directory: String) {
        guard watches[directory] == nil else { return }
        do {
            let watchID = try watch.add(directory: directory, followingLinks: true)
            directories[watchID] = (directory, false)
            watches[directory] = watchID
        } catch {
            if !error.isNoSuchFile {
                router.log(.watchFailed(path: FilePath.relative(directory, to: plan.root), reason: error.reason))
            }
        }
    }

    private func scheduleWalk(now: Int64) {
        guard walkScheduled == nil, !walks.isEmpty else { return }
        walkScheduled = now
        deadlines.schedule(.watch, at: now)
    }

    /// The next slice of the walks; once past this turn's events, the loop comes back
    /// for the rest (a millisecond on: a deadline due now would be taken in this turn).
    private func continueWalks(now: Int64) {
        var budget = Self.directoriesPerTurn
        while budget > 0, !walks.isEmpty {
            while budget > 0, let directory = walks[0].pending.popLast() {
                budget -= 1
                visit(directory, now: now)
            }
            if walks[0].pending.isEmpty { report(walks.removeFirst()) }
        }
        if !walks.isEmpty {
            walkScheduled = now + 1
            deadlines.schedule(.watch, at: now + 1)
        }
    }

    /// Watches one directory of `walks[0]` and queues those in it. With `foundAt`, the
    /// tree is new: the files in it already have changed (one written right after its
    /// directory was made, before its watch existed). An empty directory is no change.
    private func visit(_ directory: String, now: Int64) {
        let walk = walks[0]
        if FileSystem.isKernelView(directory) { return }
        let watchID: Int32
        do { watchID = try watch.add(directory: directory, followingLinks: walk.followTop && directory == walk.top) } catch {
            // One that went again before its watch was added is no loss.
            if error.isOutOfSpace {
                walks[0].missed += 1
            } else if !error.isNoSuchFile, walk.failure == nil {
                walks[0].failure = (directory, error)
            }
            return
        }
        directories[watchID] = (directory, true)
        watches[directory] = watchID
        for entry in FileSystem.directoryListing(directory) {
            let path = directory == "/" ? "/" + entry.name : directory + "/" + entry.name
            guard !ignore.ignores(path, root: plan.root) else { continue }
            if entry.isDirectory {
                walks[0].pending.append(path)
            } else if walk.foundAt != nil {
                plan.changed(path, now: now)
            }
        }
    }

    private func report(_ walk: TreeWalk) {
        if let failure = walk.failure {
            router.log(.watchFailed(path: FilePath.relative(failure.path, to: plan.root), reason: failure.error.reason))
        }
        if walk.missed > 0 {
            router.log(
                .watchLimitReached(
                    directories: walk.missed, under: FilePath.relative(walk.top, to: plan.root),
                    limit: DirectoryWatch.limit("max_user_watches")))
        }
    }

    func handle(now: Int64) {
        let events: [DirectoryWatch.Event]
        do { events = try watch.read() } catch {
            router.log(.watchEnded(reason: error.reason))
            return
        }
        let output = router.outputFile
        for event in events { apply(event, output: output, now: now) }
        scheduleWalk(now: now)
        scheduleDeadline()
    }

    private func apply(_ event: DirectoryWatch.Event, output: FileIdentity?, now: Int64) {
        if event.change == .overflow {
            router.log(.watchOverflow(limit: DirectoryWatch.limit("max_queued_events")))
            for path in plan.watchedPaths { watchTarget(path, foundAt: nil, now: now) }
            plan.changedEverywhere(now: now)
            return
        }
        guard let directory = directories[event.watch] else { return }
        switch event.change {
        case let .file(name):
            let path = directory.path + "/" + name
            if !ignore.ignores(path, root: plan.root), !isOutput(path, output) { plan.changed(path, now: now) }
        case let .directoryAppeared(name, movedIn):
            let path = directory.path + "/" + name
            guard !ignore.ignores(path, root: plan.root) else { return }
            if movedIn { plan.changed(path, now: now) }
            if directory.recursive {
                walks.append(TreeWalk(top: path, foundAt: now, followTop: false, pending: [path]))
                return
            }
            plan.changed(path, now: now)
            // Above a target that is gone: the target, or a step towards it, is back.
            for target in plan.watchedPaths where FilePath.isWithin(target, path) && watches[target] == nil {
                if target == path { watchTarget(target, foundAt: now, now: now) } else { awaitReturn(of: target, now: now) }
            }
        case let .directoryGone(name):
            let path = directory.path + "/" + name
            guard !ignore.ignores(path, root: plan.root) else { return }
            // Moved away, its watches would report under the old name: drop them.
            for (watched, watchID) in watches where FilePath.isWithin(watched, path) {
                watch.remove(watchID)
                forget(watchID)
            }
            plan.changed(path, now: now)
            for target in plan.watchedPaths where FilePath.isWithin(target, path) { awaitReturn(of: target, now: now) }
        case .watchEnded:
            forget(event.watch)
            // The directory itself went: wait for the targets in it, or whose file it held.
            for target in plan.watchedPaths
            where FilePath.isWithin(target, directory.path) || FilePath.directory(of: target) == directory.path {
                awaitReturn(of: target, now: now)
            }
        case .overflow:
            break
        }
    }

    /// drover's own output file, under any name it had: a line written to a rotated
    /// `--log` file (or to a file stdout was sent to) must not restart anything.
    private func isOutput(_ path: String, _ output: FileIdentity?) -> Bool {
        guard let output else { return false }
        if outputNames.contains(path) { return true }
        guard FileIdentity.of(path)?.sameFile(as: output) == true else { return false }
        outputNames.insert(path)
        return true
    }

    private func forget(_ watchID: Int32) {
        if let path = directories.removeValue(forKey: watchID)?.path, watches[path] == watchID { watches[path] = nil }
    }

    private func scheduleDeadline() {
        guard let deadline = plan.deadline, debounceScheduled == nil else { return }
        debounceScheduled = deadline
        deadlines.schedule(.watch, at: deadline)
    }

    /// A deadline came up: walk on, restart what is due, or wait on for a moved deadline.
    func deadlinePassed(now: Int64) {
        if let walkDue = walkScheduled, walkDue <= now {
            walkScheduled = nil
            continueWalks(now: now)
        }
        if let debounceDue = debounceScheduled, debounceDue <= now {
            debounceScheduled = nil
            for due in plan.due(now: now) { restart(due) }
        }
        scheduleDeadline()
    }
}
