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
            // linux.seccomp of the bundle is not applied yet (the app can
            // still install its own filters with seccomp(2)).
            "seccomp": {"enabled": false},
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
    }
}
