import type { IDataObject } from 'n8n-workflow';

import type { ConfirmedRun } from '../shared/mapping/eventItem';
import { triggerItems } from '../shared/mapping/eventItem';
import type { TriggerResultSettings } from '../shared/triggerSettings';
import type { SigningReading } from './signature';

/** the webhook trigger reads the result options like every trigger (shared/triggerSettings.ts) */
export type ItemSettings = TriggerResultSettings;

/** How the delivery's signature was found: `verified` names the reading it verified under. */
export type SignatureMark =
	{ signature: 'verified'; reading: SigningReading } | { signature: 'unverified' };

/** Whether the items need the run's times from the runs list (results items do not carry them). */
export function needsRunTimes(settings: ItemSettings, state: ConfirmedRun['state']): boolean {
	return !settings.fetchResults || state !== 'processed';
}

function markOf(mark: SignatureMark): IDataObject {
	return mark.signature === 'verified'
		? { signature: 'verified', signature_reading: mark.reading }
		: { signature: 'unverified' };
}

/**
 * The items a confirmed delivery starts the workflow with: the same as the polling trigger's for the
 * run (shared/mapping/eventItem.ts), plus how the delivery's signature was found.
 */
export function itemsFor(
	run: ConfirmedRun,
	settings: ItemSettings,
	mark: SignatureMark,
): IDataObject[] {
	return triggerItems(run, settings, markOf(mark));
}
