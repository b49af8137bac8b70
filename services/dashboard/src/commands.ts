// The device page's commands for cellular devices: STATUS and RESET through the gateway
// (admins only, commands.v1), and the device's answer as it arrives on the socket.
import type { CommandSent } from '@heatstream/contracts/api';
import { api } from './api.ts';
import { el } from './format.ts';
import type { Live } from './live.ts';

/** heatstream.command-result.v1 as the socket pushes it. */
export interface CommandResultEvent {
  time: string;
  data: { site: string; device: string; commandId: string; command: string; ok: boolean; text: string };
}

/** Devices that take commands: the cellular firmware's model (acq-cellular). */
export const takesCommands = (model: string): boolean => model === 'esp32-sim800c';

/** The panel and its teardown; answers to commands sent from this page are shown under them. */
export function commandPanel(device: string, live: Live): { panel: HTMLElement; stop: () => void } {
  const answer = el('pre', { class: 'command-answer', 'aria-live': 'polite' });
  const sentIds = new Set<string>();
  // An answer may come over the socket before the POST that sent the command has returned.
  const early = new Map<string, CommandResultEvent>();
  const show = (e: CommandResultEvent): void => {
    answer.textContent = `${e.data.command} ${e.data.ok ? 'answered' : 'failed'} at ${new Date(e.time).toLocaleTimeString()}:\n${e.data.text}`;
  };
  const send = async (command: 'STATUS' | 'RESET'): Promise<void> => {
    answer.textContent = `${command}: sent, waiting for the device…`;
    try {
      const sent = await api.command(device, command);
      sentIds.add(sent.commandId);
      const arrived = early.get(sent.commandId);
      if (arrived) show(arrived);
    } catch (error) {
      answer.textContent = `${command}: ${/ 403 /.test(String(error)) ? 'admins only' : (error as Error).message}`;
    }
  };
  const buttons = (['STATUS', 'RESET'] as const).map((command) => {
    const b = el('button', { type: 'button', 'data-command': command }, command);
    b.addEventListener('click', () => {
      if (command === 'RESET' && !confirm(`Restart ${device}?`)) return;
      void send(command);
    });
    return b;
  });
  const onResult = (e: CommandResultEvent): void => {
    if (e.data.device !== device) return;
    if (sentIds.has(e.data.commandId)) {
      show(e);
      return;
    }
    // Perhaps ours, its POST still under way; otherwise another page's (or user's) to show.
    early.set(e.data.commandId, e);
    if (early.size > 20) early.delete(early.keys().next().value ?? '');
  };
  live.socket.on('command-result', onResult);
  const panel = el(
    'div',
    { class: 'commands' },
    el('div', { class: 'ranges', role: 'group' }, ...buttons),
    answer,
  );
  return { panel, stop: () => live.socket.off('command-result', onResult) };
}

export type { CommandSent };
