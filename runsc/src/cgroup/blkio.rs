//! OCI `linux.resources.blockIO` and `hugepageLimits`: the blkio (v1) / io
//! (v2) and hugetlb controllers, written as runc writes them. The sandbox's
//! host I/O is the gofer's (file reads and writes) and the sentry's (the
//! memory file), so block I/O weights and throttles bound the whole
//! sandbox; hugetlb bounds huge pages the sandbox's host processes use.

use super::{write, Dir, Version};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockIo {
    /// 10..=1000 (v1 blkio.weight); 0 = unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf_weight: Option<u16>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weight_device: Vec<WeightDevice>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub throttle_read_bps_device: Vec<ThrottleDevice>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub throttle_write_bps_device: Vec<ThrottleDevice>,
    #[serde(
        default,
        rename = "throttleReadIOPSDevice",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub throttle_read_iops_device: Vec<ThrottleDevice>,
    #[serde(
        default,
        rename = "throttleWriteIOPSDevice",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub throttle_write_iops_device: Vec<ThrottleDevice>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightDevice {
    pub major: i64,
    pub minor: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf_weight: Option<u16>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottleDevice {
    pub major: i64,
    pub minor: i64,
    pub rate: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HugepageLimit {
    /// "2MB", "1GB" (the hugetlb file names' size part).
    pub page_size: String,
    /// Bytes.
    pub limit: u64,
}

impl BlockIo {
    /// Anything to write?
    pub fn is_empty(&self) -> bool {
        *self == BlockIo::default()
    }
}

/// runc's conversion of a blkio weight (10..1000) to io.weight (1..10000).
pub fn blkio_weight_to_io(w: u16) -> u64 {
    if w == 0 {
        return 0;
    }
    1 + (u64::from(w).clamp(10, 1000) - 10) * 9999 / 990
}

fn dev(major: i64, minor: i64) -> String {
    format!("{major}:{minor}")
}

/// Apply `b` to a blkio (v1) or io (v2) directory.
pub(super) fn apply_blkio(d: &Dir, b: &BlockIo) -> anyhow::Result<()> {
    let p = &d.path;
    match d.version {
        Version::V1 => {
            // Without CFQ, the BFQ scheduler's files (as runc falls back).
            let bfq = !p.join("blkio.weight").exists() && p.join("blkio.bfq.weight").exists();
            let (wf, wdf) = if bfq {
                ("blkio.bfq.weight", "blkio.bfq.weight_device")
            } else {
                ("blkio.weight", "blkio.weight_device")
            };
            if let Some(w) = b.weight.filter(|w| *w != 0) {
                write(p, wf, &w.to_string())?;
            }
            if let Some(w) = b.leaf_weight.filter(|w| *w != 0) {
                write(p, "blkio.leaf_weight", &w.to_string())?;
            }
            for wd in &b.weight_device {
                if let Some(w) = wd.weight {
                    write(p, wdf, &format!("{} {w}", dev(wd.major, wd.minor)))?;
                }
                if let Some(w) = wd.leaf_weight {
                    let line = format!("{} {w}", dev(wd.major, wd.minor));
                    write(p, "blkio.leaf_weight_device", &line)?;
                }
            }
            for (file, list) in [
                (
                    "blkio.throttle.read_bps_device",
                    &b.throttle_read_bps_device,
                ),
                (
                    "blkio.throttle.write_bps_device",
                    &b.throttle_write_bps_device,
                ),
                (
                    "blkio.throttle.read_iops_device",
                    &b.throttle_read_iops_device,
                ),
                (
                    "blkio.throttle.write_iops_device",
                    &b.throttle_write_iops_device,
                ),
            ] {
                for t in list {
                    write(p, file, &format!("{} {}", dev(t.major, t.minor), t.rate))?;
                }
            }
        }
        Version::V2 => {
            if let Some(w) = b.weight.filter(|w| *w != 0) {
                if p.join("io.weight").exists() {
                    write(
                        p,
                        "io.weight",
                        &format!("default {}", blkio_weight_to_io(w)),
                    )?;
                } else {
                    // BFQ takes the blkio range as is.
                    write(p, "io.bfq.weight", &w.to_string())?;
                }
            }
            if b.leaf_weight.is_some() {
                anyhow::bail!("blockIO.leafWeight is not supported on cgroup v2");
            }
            for wd in &b.weight_device {
                if let Some(w) = wd.weight {
                    let line = format!("{} {}", dev(wd.major, wd.minor), blkio_weight_to_io(w));
                    write(p, "io.weight", &line)?;
                }
            }
            for (key, list) in [
                ("rbps", &b.throttle_read_bps_device),
                ("wbps", &b.throttle_write_bps_device),
                ("riops", &b.throttle_read_iops_device),
                ("wiops", &b.throttle_write_iops_device),
            ] {
                for t in list {
                    // 0 removes the limit, as in runc.
                    let rate = if t.rate == 0 {
                        "max".to_string()
                    } else {
                        t.rate.to_string()
                    };
                    let line = format!("{} {key}={rate}", dev(t.major, t.minor));
                    write(p, "io.max", &line)?;
                }
            }
        }
    }
    Ok(())
}

/// Apply hugepage limits to a hugetlb directory (v1
/// `hugetlb.SIZE.limit_in_bytes`, v2 `hugetlb.SIZE.max`). A size the host
/// does not have is an error, as in runc.
pub(super) fn apply_hugetlb(d: &Dir, limits: &[HugepageLimit]) -> anyhow::Result<()> {
    for h in limits {
        let size = &h.page_size;
        if size.is_empty() || !size.bytes().all(|c| c.is_ascii_alphanumeric()) {
            anyhow::bail!("invalid hugepage size {size:?}");
        }
        let file = match d.version {
            Version::V1 => format!("hugetlb.{size}.limit_in_bytes"),
            Version::V2 => format!("hugetlb.{size}.max"),
        };
        if !d.path.join(&file).exists() {
            anyhow::bail!("hugepage size {size} is not supported by this host (no {file})");
        }
        write(&d.path, &file, &h.limit.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn fake(version: Version, files: &[&str]) -> Dir {
        let path = std::env::temp_dir().join(format!(
            "runsc-blkio-{}-{}",
            std::process::id(),
            files.len() + version as usize * 100
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        for f in files {
            std::fs::write(path.join(f), "").unwrap();
        }
        Dir {
            path,
            version,
            controllers: vec!["blkio", "hugetlb"],
        }
    }

    fn cat(p: &Path, f: &str) -> String {
        std::fs::read_to_string(p.join(f)).unwrap_or_default()
    }

    #[test]
    fn blkio_v1_and_v2_files() {
        let b: BlockIo = serde_json::from_str(
            r#"{"weight": 500, "weightDevice": [{"major": 8, "minor": 0, "weight": 300}],
                "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
                "throttleWriteIOPSDevice": [{"major": 8, "minor": 16, "rate": 0}]}"#,
        )
        .unwrap();
        let d = fake(Version::V1, &["blkio.weight"]);
        apply_blkio(&d, &b).unwrap();
        assert_eq!(cat(&d.path, "blkio.weight"), "500");
        assert_eq!(cat(&d.path, "blkio.weight_device"), "8:0 300");
        assert_eq!(
            cat(&d.path, "blkio.throttle.read_bps_device"),
            "8:0 1048576"
        );
        assert_eq!(cat(&d.path, "blkio.throttle.write_iops_device"), "8:16 0");
        let _ = std::fs::remove_dir_all(&d.path);
        // BFQ only.
        let d = fake(Version::V1, &["blkio.bfq.weight", "x"]);
        apply_blkio(&d, &b).unwrap();
        assert_eq!(cat(&d.path, "blkio.bfq.weight"), "500");
        assert_eq!(cat(&d.path, "blkio.bfq.weight_device"), "8:0 300");
        let _ = std::fs::remove_dir_all(&d.path);
        let d = fake(Version::V2, &["io.weight"]);
        apply_blkio(&d, &b).unwrap();
        // The last write wins in a plain file; the kernel keeps each line.
        assert_eq!(
            cat(&d.path, "io.weight"),
            format!("8:0 {}", blkio_weight_to_io(300))
        );
        assert_eq!(cat(&d.path, "io.max"), "8:16 wiops=max");
        let _ = std::fs::remove_dir_all(&d.path);
        assert_eq!(blkio_weight_to_io(10), 1);
        assert_eq!(blkio_weight_to_io(1000), 10000);
        assert_eq!(blkio_weight_to_io(500), 1 + 490 * 9999 / 990);
    }

    #[test]
    fn hugetlb_files() {
        let l: Vec<HugepageLimit> =
            serde_json::from_str(r#"[{"pageSize": "2MB", "limit": 4194304}]"#).unwrap();
        let d = fake(Version::V2, &["hugetlb.2MB.max", "a", "b"]);
        apply_hugetlb(&d, &l).unwrap();
        assert_eq!(cat(&d.path, "hugetlb.2MB.max"), "4194304");
        let bad = vec![HugepageLimit {
            page_size: "3MB".into(),
            limit: 1,
        }];
        let e = apply_hugetlb(&d, &bad).unwrap_err().to_string();
        assert!(e.contains("3MB"), "{e}");
        let bad = vec![HugepageLimit {
            page_size: "../x".into(),
            limit: 1,
        }];
        assert!(apply_hugetlb(&d, &bad).is_err());
        let _ = std::fs::remove_dir_all(&d.path);
        let d = fake(Version::V1, &["hugetlb.1GB.limit_in_bytes", "a", "b", "c"]);
        let l = vec![HugepageLimit {
            page_size: "1GB".into(),
            limit: 0,
        }];
        apply_hugetlb(&d, &l).unwrap();
        assert_eq!(cat(&d.path, "hugetlb.1GB.limit_in_bytes"), "0");
        let _ = std::fs::remove_dir_all(&d.path);
    }
}
