/**
 * How a Talos VM's guest names the two disks the Proxmox script attaches. Linux names disks in probe
 * order, not by drive index: with only two disks on one bus they are always X-a and X-b, so a site
 * can name /dev/sda and /dev/sdb (SCSI) or /dev/vda and /dev/vdb (VirtIO block), in either order.
 * The site rules accept only such a pair; the VM script maps it to Proxmox drives.
 */
export interface GuestDisk {
  /** The Linux driver prefix: sd (SCSI) or vd (VirtIO block). */
  readonly prefix: 'sd' | 'vd';
  /** Position on the bus: 0 for a, 1 for b. */
  readonly index: 0 | 1;
}

/** The disk a device path names, or undefined for any other path (/dev/sdc, /dev/nvme0n1, ...). */
export function guestDisk(device: string): GuestDisk | undefined {
  const m = /^\/dev\/(sd|vd)([ab])$/.exec(device);
  return m ? { prefix: m[1] as GuestDisk['prefix'], index: m[2] === 'a' ? 0 : 1 } : undefined;
}
