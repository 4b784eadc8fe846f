import { EventFiltersRequestDto } from '@modules/audit/application/event-filters.request.dto';

/** The list's filters without cursor and limit: an export walks the whole selection. */
export class ExportEventsRequestDto extends EventFiltersRequestDto {}
