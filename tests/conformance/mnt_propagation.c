/* Propagation types as mountinfo shows them: shared:N, a slave of a private mount stays
 * private, unbindable, and MS_REC applying to the submounts. */
#include "mnt_common.h"

int main(void) {
  mnt_setup();
  char p[128], q[128];
  MUST(mkdir("m", 0755));
  T(mount("pm", "m", "tmpfs", 0, NULL));
  MUST(mkdir("m/c", 0755));
  T(mount("pc", "m/c", "tmpfs", 0, NULL));
  snprintf(p, sizeof p, "%s/m", mnt_base);
  snprintf(q, sizeof q, "%s/m/c", mnt_base);
  show_mount("private", p);
  T(mount(NULL, "m", NULL, MS_SHARED, NULL));
  show_mount("shared", p);
  show_mount("child not rec", q);
  T(mount(NULL, "m", NULL, MS_SHARED | MS_REC, NULL));
  show_mount("child rec", q);
  T(mount(NULL, "m", NULL, MS_PRIVATE | MS_REC, NULL));
  show_mount("private again", p);
  show_mount("child private again", q);
  T(mount(NULL, "m", NULL, MS_SLAVE, NULL));
  show_mount("slave of nothing", p);
  T(mount(NULL, "m", NULL, MS_UNBINDABLE | MS_REC, NULL));
  show_mount("unbindable", p);
  show_mount("child unbindable", q);
  T(mount(NULL, "m", NULL, MS_SHARED | MS_SLAVE, NULL));
  T(mount(NULL, "m", NULL, MS_SHARED | MS_BIND, NULL));
  T(umount2("m", MNT_DETACH));
  mnt_done();
  return 0;
}
