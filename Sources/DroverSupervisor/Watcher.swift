import DroverCore
import DroverSystem

/// `--watch`: inotify over each watched tree, one watch per directory, added as
/// directories appear; changes are gathered by the core's `WatchPlan` and, once
/// quiet for the debounce time, restart their types. Nothing polls: the loop wakes
/// for events and for the one debounce deadline.
final class Watcher {
    private let watch: DirectoryWatch
    private var plan: WatchPlan
    private let ignore: WatchIgnore
    private let deadlines: Deadlines
    private let router: LogRouter
    /// Restarts a type's instances, saying why first (unless none is left to restart).
    private let restart: (WatchPlan.Restart) -> Void
    /// Each watch's directory, and whether directories appearing in it get watches too
    /// (not for the directory of a watched file).
    private var directories: [Int32: (path: String, recursive: Bool)] = [:]
    private var watches: [String: Int32] = [:]
    /// The debounce deadline already in the queue, so a burst adds one entry, not one each.
    private var scheduled: Int64?

    /// Watches every target of `plan`; a missing target stops the start, naming where it was given.
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
        for type in plan.targets.map(\.type) {
            for target in application.settings(for: type).watch {
                let path = target.absolute(under: application.root)
                if FileSystem.kind(of: path) == .missing {
                    let problem = target.value.invalid("\(path) does not exist", option: .watch)
                    throw LaunchError("cannot watch \(target.path) for \(type): \(problem.message)")
                }
            }
        }
        for path in plan.watchedPaths { watchTarget(path) }
    }

    private func watchTarget(_ path: String) {
        if FileSystem.kind(of: path) == .directory {
            watchTree(path, now: nil)
        } else {
            // A file: its directory, alone, so an editor's rename over it is seen too.
            let parent = FilePath.directory(of: path)
            if let watchID = try? watch.add(directory: parent, followingLinks: true), directories[watchID] == nil {
                directories[watchID] = (parent, false)
                watches[parent] = watchID
            }
        }
    }

    /// Watches `top` and every directory below it that is not ignored. With `now`, the
    /// tree is new: the files in it already have changed (one written right after its
    /// directory was made, before its watch existed). An empty directory is no change.
    private func watchTree(_ top: String, now: Int64?) {
        var pending = [top]
        var missed = 0
        var failure: (path: String, error: SystemError)?
        while let directory = pending.popLast() {
            let watchID: Int32
            do { watchID = try watch.add(directory: directory, followingLinks: directory == top && now == nil) } catch {
                // One that went again before its watch was added is no loss.
                if error.isOutOfSpace { missed += 1 } else if !error.isNoSuchFile { failure = failure ?? (directory, error) }
                continue
            }
            directories[watchID] = (directory, true)
            watches[directory] = watchID
            for entry in FileSystem.directoryListing(directory) {
                let path = directory == "/" ? "/" + entry.name : directory + "/" + entry.name
                guard !ignore.ignores(path, root: plan.root) else { continue }
                if entry.isDirectory {
                    pending.append(path)
                } else if let now {
                    plan.changed(path, now: now)
                }
            }
        }
        if let failure {
            router.log(.watchFailed(path: FilePath.relative(failure.path, to: plan.root), reason: failure.error.reason))
        }
        if missed > 0 {
            router.log(
                .watchLimitReached(
                    directories: missed, under: FilePath.relative(top, to: plan.root), limit: DirectoryWatch.limit("max_user_watches")))
        }
    }

    func handle(now: Int64) {
        let events: [DirectoryWatch.Event]
        do { events = try watch.read() } catch {
            router.log(.watchEnded(reason: error.reason))
            return
        }
        for event in events { apply(event, now: now) }
        scheduleDeadline()
    }

    private func apply(_ event: DirectoryWatch.Event, now: Int64) {
        if event.change == .overflow {
            router.log(.watchOverflow(limit: DirectoryWatch.limit("max_queued_events")))
            for path in plan.watchedPaths { watchTarget(path) }
            plan.changedEverywhere(now: now)
            return
        }
        guard let directory = directories[event.watch] else { return }
        switch event.change {
        case let .file(name):
            let path = directory.path + "/" + name
            if !ignore.ignores(path, root: plan.root) { plan.changed(path, now: now) }
        case let .directoryAppeared(name):
            let path = directory.path + "/" + name
            guard !ignore.ignores(path, root: plan.root) else { return }
            if directory.recursive { watchTree(path, now: now) } else { plan.changed(path, now: now) }
        case let .directoryGone(name):
            let path = directory.path + "/" + name
            guard !ignore.ignores(path, root: plan.root) else { return }
            // Moved away, its watches would report under the old name: drop them.
            for (watched, watchID) in watches where FilePath.isWithin(watched, path) {
                watch.remove(watchID)
                forget(watchID)
            }
            plan.changed(path, now: now)
        case .watchEnded:
            forget(event.watch)
        case .overflow:
            break
        }
    }

    private func forget(_ watchID: Int32) {
        if let path = directories.removeValue(forKey: watchID)?.path, watches[path] == watchID { watches[path] = nil }
    }

    private func scheduleDeadline() {
        guard let deadline = plan.deadline, scheduled == nil else { return }
        scheduled = deadline
        deadlines.schedule(.watch, at: deadline)
    }

    /// The debounce deadline came up: restart what is due, or wait on for a moved deadline.
    func deadlinePassed(now: Int64) {
        scheduled = nil
        for due in plan.due(now: now) { restart(due) }
        scheduleDeadline()
    }
}
