/** site/guest-disks.ts: which device paths name one of the two disks the VM script attaches, and where. */
import { guestDisk } from '../../site';

test('sd and vd disks a and b, with their bus prefix and position', () => {
  expect(guestDisk('/dev/sda')).toEqual({ prefix: 'sd', index: 0 });
  expect(guestDisk('/dev/sdb')).toEqual({ prefix: 'sd', index: 1 });
  expect(guestDisk('/dev/vda')).toEqual({ prefix: 'vd', index: 0 });
  expect(guestDisk('/dev/vdb')).toEqual({ prefix: 'vd', index: 1 });
});

test.each(['/dev/sdc', '/dev/sda1', '/dev/xvda', 'x/dev/sda', '/dev/sd', '/dev/nvme0n1', 'sda', '/dev/hda'])('%s is none of them', (device) => {
  expect(guestDisk(device)).toBeUndefined();
});
