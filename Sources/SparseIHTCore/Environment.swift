import Foundation

/// Value of an environment variable, nil when unset.
public func getenvString(_ name: String) -> String? {
    ProcessInfo.processInfo.environment[name]
}
