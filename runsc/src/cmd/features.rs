//! `runsc features`: what this runtime supports, in runc's JSON schema
//! (runtime-spec features.md), with our real values.

use clap::Args;
use serde_json::json;

#[derive(Args, Debug)]
pub struct FeaturesArgs {}

pub fn features() -> serde_json::Value {
    json!({
        "ociVersionMin": "1.0.0",
        "ociVersionMax": "1.1.0",
        "hooks": ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
        "mountOptions": crate::oci::mounts::known_options(),
        "linux": {
            // Every namespace type is accepted: the sandbox has its own of each kind.
            "namespaces": ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"],
            // Emulated capability sets (all of Linux's).
            "capabilities": syscalls::consts::CAP_NAMES.as_slice(),
            "cgroup": {"v1": true, "v2": true, "systemd": false, "systemdUser": false},
            // linux.seccomp, compiled by crate::oci::seccomp and run by the
            // sentry. NOTIFY needs a seccomp agent: refused. Other
            // architectures in a profile are accepted and never apply (the
            // sandbox runs x86_64 code only).
            "seccomp": {
                "enabled": true,
                "actions": crate::oci::seccomp::ACTIONS,
                "operators": crate::oci::seccomp::OPERATORS,
                "archs": crate::oci::seccomp::ARCHS,
                "knownFlags": crate::oci::seccomp::FLAGS,
                "supportedFlags": crate::oci::seccomp::FLAGS
            },
            "apparmor": {"enabled": false},
            "selinux": {"enabled": false}
        },
        "annotations": {
            "dev.runsc.version": env!("CARGO_PKG_VERSION"),
            "dev.runsc.platforms": "ptrace",
            "dev.runsc.options": crate::config::option_names().collect::<Vec<_>>().join(",")
        }
    })
}

pub fn run(_a: &FeaturesArgs) -> anyhow::Result<i32> {
    println!("{}", serde_json::to_string_pretty(&features())?);
    Ok(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn schema_keys_like_runc() {
        let f = super::features();
        for k in [
            "ociVersionMin",
            "ociVersionMax",
            "hooks",
            "mountOptions",
            "linux",
            "annotations",
        ] {
            assert!(f.get(k).is_some(), "{k}");
        }
        assert_eq!(f["linux"]["capabilities"][0], "CAP_CHOWN");
        assert_eq!(f["linux"]["capabilities"].as_array().unwrap().len(), 41);
        assert!(f["annotations"]["dev.runsc.options"]
            .as_str()
            .unwrap()
            .contains("seccomp"));
        assert_eq!(f["linux"]["seccomp"]["enabled"], true);
        let actions = f["linux"]["seccomp"]["actions"].as_array().unwrap();
        assert!(actions.iter().any(|a| a == "SCMP_ACT_KILL_PROCESS"));
        assert!(!actions.iter().any(|a| a == "SCMP_ACT_NOTIFY"));
        assert_eq!(
            f["linux"]["seccomp"]["operators"].as_array().unwrap().len(),
            7
        );
    }
}
