export * from './synthesize-talos';
export { talosVmSizing } from './vm-sizing';
export type { TalosVmSizing, VmSize, TalosNodeVm, OverheadItem, StackService } from './vm-sizing';
export { LOCAL_PATH_HOST_PATH, LOCAL_PATH_VOLUME_NAME } from './node-configs';
export { PROXMOX_SCRIPT_PATH } from './proxmox-script';
