import { OmitType } from '@nestjs/swagger';
import { ExportEventsRequestDto } from './export-events.request.dto';

/** The admin export's filters without `workspaceId`: the path names the workspace (sending it is a 400). */
export class ExportWorkspaceEventsRequestDto extends OmitType(ExportEventsRequestDto, ['workspaceId'] as const) {}
